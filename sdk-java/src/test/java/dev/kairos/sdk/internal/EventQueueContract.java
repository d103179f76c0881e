package dev.kairos.sdk.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link EventQueue} must do; run over the file and the memory queue. */
abstract class EventQueueContract {
    abstract EventQueue newQueue() throws IOException;

    static byte[] item(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<String> strings(List<byte[]> items) {
        List<String> out = new ArrayList<>();
        for (byte[] b : items) out.add(new String(b, StandardCharsets.UTF_8));
        return out;
    }

    @Test
    void keepsItemsInTheOrderTheyWereAdded() throws IOException {
        try (EventQueue q = newQueue()) {
            q.add(item("a"));
            q.addAll(List.of(item("b"), item("c")));
            assertThat(strings(q.peek(10, Long.MAX_VALUE))).containsExactly("a", "b", "c");
            assertThat(q.size()).isEqualTo(3);
            assertThat(q.bytes()).isEqualTo(3);
        }
    }

    @Test
    void peekDoesNotRemoveAndRemoveTakesFromTheHead() throws IOException {
        try (EventQueue q = newQueue()) {
            for (int i = 0; i < 5; i++) q.add(item("e" + i));
            assertThat(strings(q.peek(2, Long.MAX_VALUE))).containsExactly("e0", "e1");
            assertThat(strings(q.peek(2, Long.MAX_VALUE))).containsExactly("e0", "e1");
            q.remove(2);
            assertThat(strings(q.peek(10, Long.MAX_VALUE))).containsExactly("e2", "e3", "e4");
            q.remove(10);
            assertThat(q.size()).isZero();
            assertThat(q.bytes()).isZero();
            assertThat(q.peek(10, Long.MAX_VALUE)).isEmpty();
        }
    }

    @Test
    void peekStopsAtTheByteLimitButReturnsAtLeastOneItem() throws IOException {
        try (EventQueue q = newQueue()) {
            q.add(item("0123456789"));
            q.add(item("abcdefghij"));
            q.add(item("x"));
            assertThat(strings(q.peek(10, 15))).containsExactly("0123456789");
            assertThat(strings(q.peek(10, 5))).containsExactly("0123456789");
            assertThat(strings(q.peek(10, 20))).containsExactly("0123456789", "abcdefghij");
        }
    }

    @Test
    void staysUsableAfterBeingEmptiedManyTimes() throws IOException {
        try (EventQueue q = newQueue()) {
            for (int round = 0; round < 50; round++) {
                for (int i = 0; i < 100; i++) q.add(item("r" + round + "-" + i));
                List<byte[]> all = q.peek(1000, Long.MAX_VALUE);
                assertThat(all).hasSize(100);
                assertThat(new String(all.get(99), StandardCharsets.UTF_8)).isEqualTo("r" + round + "-99");
                q.remove(60);
                q.remove(40);
            }
            assertThat(q.size()).isZero();
        }
    }
}
