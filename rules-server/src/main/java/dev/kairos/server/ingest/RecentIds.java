package dev.kairos.server.ingest;

import java.util.Arrays;
import java.util.Collection;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * The ids an ingest endpoint accepted recently, so that a retried batch is answered as duplicates
 * without being sent to Kafka again. An id is remembered until at least {@code capacity} more ids
 * were accepted or {@code maxAge} passed, whichever comes first, and forgotten at most that long
 * again later (the signal engine de-duplicates over 24 hours whatever this forgets).
 *
 * <p>Two generations of open-addressing tables of {@code long}s (an id's 128 bits per slot): the
 * current one takes new ids until it holds {@code capacity} of them or is {@code maxAge} old, then
 * the older one is emptied and becomes the current. A quarter of a million ids are then a few
 * large arrays, which the garbage collector leaves where they are, instead of a million small
 * objects a cache would keep (entries, nodes, keys) that every young collection copied while they
 * lived: young pauses under ingest load went from 28 ms to 8 ms at the median (docs/benchmarks.md §20).
 * At most 48 bytes of heap per id of capacity (two tables, each at most two thirds full); tables
 * start small and grow with use. Thread-safe; every method holds the instance's lock for a few
 * memory reads per id.
 */
final class RecentIds {
    private static final int INITIAL_SLOTS = 1024;

    private final int capacity;
    private final int maxSlots;
    private final long maxAgeNanos;
    private final LongSupplier nanoTime;
    private Table current;
    private Table previous;

    /**
     * @param capacity ids per generation (0: remember nothing)
     * @param maxAgeNanos age at which the current generation is retired even if not full
     * @param nanoTime the clock ({@link System#nanoTime} outside tests)
     */
    RecentIds(int capacity, long maxAgeNanos, LongSupplier nanoTime) {
        if (capacity < 0) throw new IllegalArgumentException("capacity must be 0 or more");
        this.capacity = capacity;
        this.maxSlots = (int) Math.min(Integer.MAX_VALUE / 2, capacity * 3L / 2 + 1);
        this.maxAgeNanos = maxAgeNanos;
        this.nanoTime = nanoTime;
        long now = nanoTime.getAsLong();
        this.current = new Table(Math.min(INITIAL_SLOTS, maxSlots), now);
        this.previous = new Table(1, now);
    }

    /** Whether {@code id} was accepted recently. */
    synchronized boolean contains(UUID id) {
        long hi = id.getMostSignificantBits();
        long lo = id.getLeastSignificantBits();
        return current.contains(hi, lo) || previous.contains(hi, lo);
    }

    /** Which of {@code ids} were accepted recently ({@code result[i]} for {@code ids.get(i)}), under one lock for the batch. */
    synchronized boolean[] containsEach(java.util.List<UUID> ids) {
        boolean[] known = new boolean[ids.size()];
        for (int i = 0; i < known.length; i++) {
            UUID id = ids.get(i);
            long hi = id.getMostSignificantBits();
            long lo = id.getLeastSignificantBits();
            known[i] = current.contains(hi, lo) || previous.contains(hi, lo);
        }
        return known;
    }

    /** Remembers ids Kafka has acknowledged. */
    synchronized void addAll(Collection<UUID> ids) {
        if (capacity == 0) return;
        // The age is checked once per call: a batch arrives within moments.
        if (nanoTime.getAsLong() - current.startedAt >= maxAgeNanos) retire();
        for (UUID id : ids) {
            long hi = id.getMostSignificantBits();
            long lo = id.getLeastSignificantBits();
            if (current.contains(hi, lo)) continue;
            if (current.size >= capacity) retire();
            if (current.size + 1 > current.slots() * 2L / 3) current = current.grownTo(Math.min(maxSlots, current.slots() * 2));
            current.add(hi, lo);
        }
    }

    /** Ids remembered now, in both generations (an id in both counts twice). */
    synchronized int size() {
        return current.size + previous.size;
    }

    /** The older generation is forgotten; the current one becomes the older; an empty one takes new ids. */
    private void retire() {
        Table older = previous;
        previous = current;
        long now = nanoTime.getAsLong();
        // Reuse the forgotten table's arrays once it has grown to the full size: no garbage in steady state.
        current = older.slots() == previous.slots() ? older.cleared(now) : new Table(previous.slots(), now);
    }

    /** Linear probing over (hi, lo) pairs; the all-zero id, which marks empty slots, is kept aside. */
    private static final class Table {
        private final long[] keys;
        private long startedAt;
        private int size;
        private boolean hasZero;

        Table(int slots, long startedAt) {
            this.keys = new long[slots * 2];
            this.startedAt = startedAt;
        }

        int slots() {
            return keys.length / 2;
        }

        boolean contains(long hi, long lo) {
            if (hi == 0 && lo == 0) return hasZero;
            if (size == 0) return false;
            int slots = slots();
            for (int i = index(hi, lo, slots); ; i = i + 1 == slots ? 0 : i + 1) {
                long h = keys[2 * i];
                long l = keys[2 * i + 1];
                if (h == hi && l == lo) return true;
                if (h == 0 && l == 0) return false;
            }
        }

        /** Adds an id not yet in the table; the caller keeps the table at most two thirds full. */
        void add(long hi, long lo) {
            size++;
            if (hi == 0 && lo == 0) {
                hasZero = true;
                return;
            }
            int slots = slots();
            int i = index(hi, lo, slots);
            while (keys[2 * i] != 0 || keys[2 * i + 1] != 0) i = i + 1 == slots ? 0 : i + 1;
            keys[2 * i] = hi;
            keys[2 * i + 1] = lo;
        }

        Table grownTo(int slots) {
            if (slots <= slots()) return this;
            Table bigger = new Table(slots, startedAt);
            bigger.hasZero = hasZero;
            bigger.size = hasZero ? 1 : 0;
            for (int i = 0; i < keys.length; i += 2) {
                if (keys[i] != 0 || keys[i + 1] != 0) bigger.add(keys[i], keys[i + 1]);
            }
            return bigger;
        }

        Table cleared(long now) {
            Arrays.fill(keys, 0L);
            size = 0;
            hasZero = false;
            startedAt = now;
            return this;
        }

        private static int index(long hi, long lo, int slots) {
            // Random UUIDs are uniform already; the mix spreads ids that differ in a few bits only (hashed outcome ids are uniform too).
            long h = (hi ^ Long.rotateLeft(lo, 32)) * 0x9E3779B97F4A7C15L;
            // The product's high half, the best mixed, scaled to [0, slots) by a multiplication instead of a division.
            return (int) (((h >>> 32) * slots) >>> 32);
        }
    }
}
