package dev.kairos.sdk.internal;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * A FIFO of serialized items (one JSON object each). Two implementations share one contract test:
 * {@link FileEventQueue} (the default; survives process death) and {@link MemoryEventQueue}.
 * Thread-safe: the persist worker adds while the send worker peeks and removes.
 */
public interface EventQueue extends Closeable {
    /** Appends one item. */
    void add(byte[] item) throws IOException;

    /** Appends items in order, in one write where the implementation can. */
    default void addAll(List<byte[]> items) throws IOException {
        for (byte[] item : items) add(item);
    }

    /** Up to {@code maxItems} items from the head, stopping before their total size would pass {@code maxBytes} (at least one item when not empty). */
    List<byte[]> peek(int maxItems, long maxBytes) throws IOException;

    /** Removes {@code n} items from the head (fewer if there are fewer). */
    void remove(int n) throws IOException;

    /** Items queued. */
    int size();

    /** Total payload bytes queued. */
    long bytes();
}
