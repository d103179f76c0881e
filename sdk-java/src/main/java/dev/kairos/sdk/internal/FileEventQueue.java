package dev.kairos.sdk.internal;

import dev.kairos.sdk.KairosLogger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * An {@link EventQueue} in one append-only file, so queued events survive the process being
 * killed. Layout: a 16-byte header ({@code "KQ01"}, 4 reserved bytes, the head offset as a long),
 * then records {@code [length:int][crc32:int][payload]}. Adding appends a record; removing moves
 * the head offset (one 8-byte write); the dead space before the head is reclaimed when the queue
 * empties, or by copying the live records to a new file once it is larger than the live part and
 * above {@value #COMPACT_AT} bytes.
 *
 * <p>On open, records from the head are checked (length and CRC). The first bad or incomplete
 * record, typically one half-written when the process died, ends the queue: the file is truncated
 * there, the loss is logged, and the queue carries on. A file with a damaged header is moved aside
 * ({@code *.corrupt}) and a new one started. Writes are not fsync'd: they survive the process, not
 * a power cut of the device.
 */
public final class FileEventQueue implements EventQueue {
    static final int HEADER = 16;
    static final int RECORD_HEADER = 8;
    static final int MAX_RECORD = 1 << 20;
    static final long COMPACT_AT = 1 << 20;
    private static final byte[] MAGIC = {'K', 'Q', '0', '1'};

    private final Path file;
    private final KairosLogger logger;
    private FileChannel channel;
    private long head;
    private long end;
    // Ring of the queued records' offsets and payload lengths, oldest first.
    private long[] offsets = new long[64];
    private int[] lengths = new int[64];
    private int first;
    private int count;
    private long bytes;
    private long skippedBytes;

    public FileEventQueue(Path file, KairosLogger logger) throws IOException {
        this.file = file;
        this.logger = logger;
        Files.createDirectories(file.toAbsolutePath().getParent());
        open();
    }

    private void open() throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = channel.size();
        if (size == 0) {
            writeHeader(HEADER);
            head = end = HEADER;
            return;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        readFully(header, 0);
        ((java.nio.Buffer) header).flip();
        byte[] magic = new byte[4];
        if (header.remaining() == HEADER) header.get(magic);
        long storedHead = header.remaining() >= 12 ? header.getLong(8) : -1;
        if (!java.util.Arrays.equals(magic, MAGIC) || storedHead < HEADER || storedHead > size) {
            channel.close();
            Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            logger.log(KairosLogger.Level.ERROR, "queue file " + file + " has a damaged header; moved it to " + aside + " and started a new one", null);
            skippedBytes += size;
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            writeHeader(HEADER);
            head = end = HEADER;
            return;
        }
        head = storedHead;
        long pos = head;
        ByteBuffer rh = ByteBuffer.allocate(RECORD_HEADER);
        CRC32 crc = new CRC32();
        while (pos < size) {
            ((java.nio.Buffer) rh).clear();
            if (size - pos < RECORD_HEADER) break;
            readFully(rh, pos);
            int len = rh.getInt(0);
            int sum = rh.getInt(4);
            if (len <= 0 || len > MAX_RECORD || pos + RECORD_HEADER + len > size) break;
            ByteBuffer payload = ByteBuffer.allocate(len);
            readFully(payload, pos + RECORD_HEADER);
            crc.reset();
            crc.update(payload.array(), 0, len);
            if ((int) crc.getValue() != sum) break;
            push(pos + RECORD_HEADER, len);
            pos += RECORD_HEADER + len;
        }
        end = pos;
        if (pos < size) {
            skippedBytes += size - pos;
            logger.log(KairosLogger.Level.WARN, "queue file " + file + ": skipped a damaged or incomplete tail of " + (size - pos)
                    + " bytes after " + count + " good records", null);
            channel.truncate(pos);
        }
    }

    /** Bytes dropped as damaged when the file was opened (0 for a clean file). */
    public synchronized long skippedBytes() {
        return skippedBytes;
    }

    @Override
    public void add(byte[] item) throws IOException {
        addAll(java.util.Collections.singletonList(item));
    }

    @Override
    public synchronized void addAll(List<byte[]> items) throws IOException {
        if (items.isEmpty()) return;
        int total = 0;
        for (byte[] item : items) {
            if (item.length == 0 || item.length > MAX_RECORD) throw new IllegalArgumentException("item of " + item.length + " bytes");
            total += RECORD_HEADER + item.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(total);
        CRC32 crc = new CRC32();
        for (byte[] item : items) {
            crc.reset();
            crc.update(item, 0, item.length);
            buf.putInt(item.length).putInt((int) crc.getValue()).put(item);
        }
        ((java.nio.Buffer) buf).flip();
        long at = end;
        while (buf.hasRemaining()) at += channel.write(buf, at);
        long pos = end;
        for (byte[] item : items) {
            push(pos + RECORD_HEADER, item.length);
            pos += RECORD_HEADER + item.length;
        }
        end = pos;
    }

    @Override
    public synchronized List<byte[]> peek(int maxItems, long maxBytes) throws IOException {
        int n = 0;
        long total = 0;
        while (n < count && n < maxItems) {
            int len = lengths[(first + n) % lengths.length];
            if (n > 0 && total + len > maxBytes) break;
            total += len;
            n++;
        }
        List<byte[]> out = new ArrayList<>(n);
        if (n == 0) return out;
        long from = offsets[first] - RECORD_HEADER;
        int last = (first + n - 1) % offsets.length;
        long to = offsets[last] + lengths[last];
        ByteBuffer region = ByteBuffer.allocate((int) (to - from));
        readFully(region, from);
        byte[] all = region.array();
        for (int i = 0; i < n; i++) {
            int k = (first + i) % offsets.length;
            int start = (int) (offsets[k] - from);
            out.add(java.util.Arrays.copyOfRange(all, start, start + lengths[k]));
        }
        return out;
    }

    @Override
    public synchronized void remove(int n) throws IOException {
        n = Math.min(n, count);
        if (n <= 0) return;
        for (int i = 0; i < n; i++) {
            bytes -= lengths[first];
            first = (first + 1) % offsets.length;
            count--;
        }
        if (count == 0) {
            writeHeader(HEADER);
            channel.truncate(HEADER);
            head = end = HEADER;
            first = 0;
            return;
        }
        head = offsets[first] - RECORD_HEADER;
        writeHeader(head);
        if (head - HEADER > COMPACT_AT && head - HEADER > end - head) compact();
    }

    /** Copies the live records to a new file and swaps it in atomically. */
    private void compact() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        long live = end - head;
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(HEADER).put(MAGIC).putInt(0).putLong(HEADER);
            ((java.nio.Buffer) header).flip();
            while (header.hasRemaining()) out.write(header);
            long copied = 0;
            while (copied < live) copied += channel.transferTo(head + copied, live - copied, out);
            out.force(true);
        }
        channel.close();
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long shift = head - HEADER;
        for (int i = 0; i < count; i++) offsets[(first + i) % offsets.length] -= shift;
        head = HEADER;
        end -= shift;
    }

    private void push(long offset, int length) {
        if (count == offsets.length) {
            long[] o = new long[offsets.length * 2];
            int[] l = new int[lengths.length * 2];
            for (int i = 0; i < count; i++) {
                o[i] = offsets[(first + i) % offsets.length];
                l[i] = lengths[(first + i) % lengths.length];
            }
            offsets = o;
            lengths = l;
            first = 0;
        }
        int k = (first + count) % offsets.length;
        offsets[k] = offset;
        lengths[k] = length;
        count++;
        bytes += length;
    }

    private void writeHeader(long headOffset) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER).put(MAGIC).putInt(0).putLong(headOffset);
        ((java.nio.Buffer) header).flip();
        long at = 0;
        while (header.hasRemaining()) at += channel.write(header, at);
    }

    private void readFully(ByteBuffer buf, long at) throws IOException {
        while (buf.hasRemaining()) {
            int n = channel.read(buf, at);
            if (n < 0) break;
            at += n;
        }
    }

    @Override public synchronized int size() { return count; }
    @Override public synchronized long bytes() { return bytes; }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
