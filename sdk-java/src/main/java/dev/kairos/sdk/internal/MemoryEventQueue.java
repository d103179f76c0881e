package dev.kairos.sdk.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** An {@link EventQueue} in memory: fast, lost with the process. For tests and for apps that choose it. */
public final class MemoryEventQueue implements EventQueue {
    private final ArrayDeque<byte[]> items = new ArrayDeque<>();
    private long bytes;

    @Override
    public synchronized void add(byte[] item) {
        items.addLast(item);
        bytes += item.length;
    }

    @Override
    public synchronized List<byte[]> peek(int maxItems, long maxBytes) {
        List<byte[]> out = new ArrayList<>(Math.min(maxItems, items.size()));
        long total = 0;
        Iterator<byte[]> it = items.iterator();
        while (it.hasNext() && out.size() < maxItems) {
            byte[] item = it.next();
            if (!out.isEmpty() && total + item.length > maxBytes) break;
            out.add(item);
            total += item.length;
        }
        return out;
    }

    @Override
    public synchronized void remove(int n) {
        for (int i = 0; i < n && !items.isEmpty(); i++) bytes -= items.removeFirst().length;
    }

    @Override public synchronized int size() { return items.size(); }
    @Override public synchronized long bytes() { return bytes; }
    @Override public void close() { }
}
