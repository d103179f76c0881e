package dev.kairos.sdk.internal;

import dev.kairos.sdk.KairosLogger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FileEventQueueTest extends EventQueueContract {
    @TempDir
    Path dir;
    final List<String> warnings = new ArrayList<>();
    final KairosLogger logger = (level, message, error) -> {
        if (level.compareTo(KairosLogger.Level.WARN) >= 0) warnings.add(message);
    };

    @Override
    EventQueue newQueue() throws IOException {
        return new FileEventQueue(dir.resolve("q-" + System.nanoTime()), logger);
    }

    @Test
    void itemsSurviveReopeningTheFile() throws IOException {
        Path file = dir.resolve("events.queue");
        try (FileEventQueue q = new FileEventQueue(file, logger)) {
            for (int i = 0; i < 10; i++) q.add(item("e" + i));
            q.remove(3);
        }
        try (FileEventQueue q = new FileEventQueue(file, logger)) {
            assertThat(q.size()).isEqualTo(7);
            assertThat(strings(q.peek(100, Long.MAX_VALUE))).first().isEqualTo("e3");
            assertThat(q.skippedBytes()).isZero();
        }
        assertThat(warnings).isEmpty();
    }

    @Test
    void aHalfWrittenLastRecordIsSkippedAndTheQueueCarriesOn() throws IOException {
        Path file = dir.resolve("events.queue");
        try (FileEventQueue q = new FileEventQueue(file, logger)) {
            q.add(item("good-1"));
            q.add(item("good-2"));
        }
        // A process killed in the middle of a write: a length that promises more than is there.
        Files.write(file, new byte[] {0, 0, 0, 50, 1, 2, 3, 4, 'h', 'a', 'l'}, StandardOpenOption.APPEND);
        try (FileEventQueue q = new FileEventQueue(file, logger)) {
            assertThat(strings(q.peek(100, Long.MAX_VALUE))).containsExactly("good-1", "good-2");
            assertThat(q.skippedBytes()).isEqualTo(11);
            q.add(item("after"));
        }
        try (FileEventQueue q = new FileEventQueue(file, logger)) {
            assertThat(strings(q.peek(100, Long.MAX_VALUE))).containsExactly("good-1", "good-2", "after");
        }
        assertThat(warnings).anyMatch(w -> w.contains("skipped a damaged or incomplete tail"));
    }

    @Test
    void aRecordWithABadChecksumEndsTheQueue() throws IOException {
        Path file = dir.resolve("events.queue");
        try (FileEventQueue q = new FileEventQueue(file, logger)) {
            q.add(item("one"));
            q.add(item("two"));
            q.add(item("three"));
        }
        // Flip one byte of the second record's payload.
        long secondPayload = FileEventQueue.HEADER + FileEventQueue.RECORD_HEADER + 3 + FileEventQueue.RECORD_HEADER;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(secondPayload);
            raf.write('X');
        }
        try (FileEventQueue q = new FileEventQueue(file, logger)) {
            assertThat(strings(q.peek(100, Long.MAX_VALUE))).containsExactly("one");
        }
    }

    @Test
    void aFileWithADamagedHeaderIsMovedAsideAndANewQueueStarts() throws IOException {
        Path file = dir.resolve("events.queue");
        Files.write(file, "this is not a queue file at all".getBytes());
        try (FileEventQueue q = new FileEventQueue(file, logger)) {
            assertThat(q.size()).isZero();
            q.add(item("fresh"));
            assertThat(strings(q.peek(1, Long.MAX_VALUE))).containsExactly("fresh");
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("events.queue.corrupt-"));
        }
    }

    @Test
    void theDeadSpaceBeforeTheHeadIsReclaimed() throws IOException {
        Path file = dir.resolve("events.queue");
        byte[] big = new byte[4096];
        java.util.Arrays.fill(big, (byte) 'x');
        try (FileEventQueue q = new FileEventQueue(file, logger)) {
            for (int i = 0; i < 600; i++) q.add(big);
            q.add(item("last"));
            q.remove(600);
            assertThat(Files.size(file)).as("compacted once the dead part outgrew the live part").isLessThan(FileEventQueue.COMPACT_AT);
            assertThat(strings(q.peek(10, Long.MAX_VALUE))).containsExactly("last");
        }
        try (FileEventQueue q = new FileEventQueue(file, logger)) {
            assertThat(strings(q.peek(10, Long.MAX_VALUE))).containsExactly("last");
        }
    }
}
