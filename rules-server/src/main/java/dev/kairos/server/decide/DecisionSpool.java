package dev.kairos.server.decide;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Decision records Kafka could not take yet, kept on disk until it can: append-only segment files
 * ({@code <dir>/decisions-<n>.spool}, rotated at {@link #SEGMENT_BYTES}) of records
 * {@code [length][crc32][key length][key][value]}. A reader takes whole closed segments, oldest
 * first, and deletes one only once everything in it was acknowledged; a torn or damaged tail (a
 * crash while appending) ends that segment's records. Appends beyond {@code maxBytes} in all are
 * refused (the caller counts them). Writes go to the operating system at once (a killed JVM loses
 * nothing appended); they are not fsynced per record. Thread-safe.
 */
final class DecisionSpool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DecisionSpool.class);
    static final long SEGMENT_BYTES = 16L << 20;
    private static final int MAX_RECORD = 16 << 20;

    /** One spooled record. */
    record Entry(String key, byte[] value) {}

    private final Path dir;
    private final long maxBytes;
    private FileChannel current;
    private Path currentPath;
    private long currentBytes;
    private long totalBytes;
    private long next;
    private long records;

    DecisionSpool(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        try {
            Files.createDirectories(dir);
            for (Path p : segments()) {
                totalBytes += Files.size(p);
                next = Math.max(next, number(p) + 1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the decision spool in " + dir, e);
        }
        if (totalBytes > 0) LOG.info("decision spool {} holds {} bytes from an earlier run; they will be sent to Kafka", dir, totalBytes);
    }

    /** Appends one record; false when the spool is full (or the disk refused it). */
    synchronized boolean append(String key, byte[] value) {
        byte[] k = key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
        int length = 4 + k.length + value.length;
        if (totalBytes + length + 8 > maxBytes) return false;
        try {
            if (current == null || currentBytes >= SEGMENT_BYTES) roll();
            ByteBuffer b = ByteBuffer.allocate(8 + length);
            CRC32 crc = new CRC32();
            ByteBuffer body = ByteBuffer.allocate(length).putInt(k.length).put(k).put(value);
            crc.update(body.array());
            b.putInt(length).putInt((int) crc.getValue()).put(body.array()).flip();
            while (b.hasRemaining()) current.write(b);
            currentBytes += 8 + length;
            totalBytes += 8 + length;
            records++;
            return true;
        } catch (IOException e) {
            LOG.warn("could not append to the decision spool {}: {}", dir, e.toString());
            return false;
        }
    }

    /** Whether anything waits in the spool. */
    synchronized boolean isEmpty() { return totalBytes == 0; }

    /** Bytes waiting. */
    synchronized long bytes() { return totalBytes; }

    /**
     * The oldest segment and its records (the segment being written is closed first), or null when
     * the spool is empty. Call {@link #delete} once all of them are acknowledged.
     */
    synchronized Segment oldest() {
        try {
            if (current != null && currentBytes > 0) {
                current.close();
                current = null;
            }
            List<Path> all = segments();
            if (all.isEmpty()) return null;
            Path p = all.get(0);
            if (p.equals(currentPath) && current != null) return null;
            return new Segment(p, read(p));
        } catch (IOException e) {
            LOG.warn("could not read the decision spool {}: {}", dir, e.toString());
            return null;
        }
    }

    /** A closed segment file and what it holds. */
    record Segment(Path path, List<Entry> entries) {}

    /** Removes a segment whose records were all acknowledged. */
    synchronized void delete(Segment s) {
        try {
            long size = Files.size(s.path());
            Files.deleteIfExists(s.path());
            totalBytes = Math.max(0, totalBytes - size);
            if (s.path().equals(currentPath)) currentPath = null;
        } catch (IOException e) {
            LOG.warn("could not delete spool segment {}: {}", s.path(), e.toString());
        }
    }

    private void roll() throws IOException {
        if (current != null) current.close();
        currentPath = dir.resolve(String.format("decisions-%012d.spool", next++));
        current = FileChannel.open(currentPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        currentBytes = Files.size(currentPath);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".spool")).sorted().toList();
        }
    }

    private static long number(Path p) {
        String n = p.getFileName().toString().replaceAll("\\D", "");
        try {
            return Long.parseLong(n);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The records of a segment up to the first torn or damaged one. */
    static List<Entry> read(Path p) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(p); DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw))) {
            while (true) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException end) {
                    break;
                }
                int crc = in.readInt();
                if (length < 4 || length > MAX_RECORD) {
                    LOG.warn("spool segment {} has a damaged record after {} records; the rest is skipped", p, out.size());
                    break;
                }
                byte[] body = new byte[length];
                try {
                    in.readFully(body);
                } catch (EOFException torn) {
                    LOG.warn("spool segment {} ends in a torn record after {} records (a crash while writing)", p, out.size());
                    break;
                }
                CRC32 c = new CRC32();
                c.update(body);
                if ((int) c.getValue() != crc) {
                    LOG.warn("spool segment {} has a damaged record after {} records; the rest is skipped", p, out.size());
                    break;
                }
                ByteBuffer b = ByteBuffer.wrap(body);
                int keyLength = b.getInt();
                if (keyLength < 0 || keyLength > length - 4) break;
                byte[] key = new byte[keyLength];
                b.get(key);
                byte[] value = new byte[b.remaining()];
                b.get(value);
                out.add(new Entry(keyLength == 0 ? null : new String(key, StandardCharsets.UTF_8), value));
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        try {
            if (current != null) current.close();
        } catch (IOException e) {
            LOG.warn("could not close the decision spool: {}", e.toString());
        }
        current = null;
    }
}
