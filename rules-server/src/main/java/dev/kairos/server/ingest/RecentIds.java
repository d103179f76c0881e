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
 * At most 51 bytes of heap per id of capacity (two tables, each at most two thirds full, of 17 bytes
 * a slot: the id and a tag, {@link Table}); tables start small and grow with use. Thread-safe; every
 * method holds the instance's lock for a few memory reads per id.
 */
final class RecentIds {
    private static final int INITIAL_SLOTS = 1024;

    private final int capacity;
    private final int maxSlots;
    private final long maxAgeNanos;
    private final LongSupplier nanoTime;
    private Table current;
    private Table previous;
    /** Written with the tags {@link #containsEach} reads first, so that the compiler keeps those reads. */
    private int sink;

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
        // First the tag where each id's probe starts is read in both tables, reads that do not wait for one another:
        // under load the tags are seldom in the cores' caches, and these misses then overlap instead of coming one
        // after the other in the probes below, which find the tags cached.
        int touched = 0;
        for (int i = 0; i < known.length; i++) {
            UUID id = ids.get(i);
            long h = Table.hash(id.getMostSignificantBits(), id.getLeastSignificantBits());
            touched += current.tagAt(h) + previous.tagAt(h);
        }
        sink = touched;
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

    /**
     * Linear probing over (hi, lo) pairs, with a byte per slot in front of them: 0 for an empty slot, else eight
     * other bits of the id's hash. A lookup walks the small array of tags (a few hundred kilobytes for a full
     * table, against megabytes of ids) and reads a slot's 16 bytes of id only where the tag matches; a new id, the
     * common case, mostly reads no id at all. Before the tags, two lookups per id missed the caches in the ids' megabytes
     * several times each (7 % of ingest's CPU under load; docs/benchmarks.md §28).
     */
    private static final class Table {
        private final long[] keys;
        private final byte[] tags;
        private long startedAt;
        private int size;

        Table(int slots, long startedAt) {
            this.keys = new long[slots * 2];
            this.tags = new byte[slots];
            this.startedAt = startedAt;
        }

        int slots() {
            return tags.length;
        }

        /** The tag in the slot where the probe for an id of hash {@code h} starts. */
        int tagAt(long h) {
            return tags[index(h, tags.length)];
        }

        boolean contains(long hi, long lo) {
            if (size == 0) return false;
            long h = hash(hi, lo);
            byte tag = tag(h);
            int slots = slots();
            for (int i = index(h, slots); ; i = i + 1 == slots ? 0 : i + 1) {
                byte t = tags[i];
                if (t == 0) return false;
                if (t == tag && keys[2 * i] == hi && keys[2 * i + 1] == lo) return true;
            }
        }

        /** Adds an id not yet in the table; the caller keeps the table at most two thirds full. */
        void add(long hi, long lo) {
            size++;
            long h = hash(hi, lo);
            int slots = slots();
            int i = index(h, slots);
            while (tags[i] != 0) i = i + 1 == slots ? 0 : i + 1;
            tags[i] = tag(h);
            keys[2 * i] = hi;
            keys[2 * i + 1] = lo;
        }

        Table grownTo(int slots) {
            if (slots <= slots()) return this;
            Table bigger = new Table(slots, startedAt);
            for (int i = 0; i < tags.length; i++) {
                if (tags[i] != 0) bigger.add(keys[2 * i], keys[2 * i + 1]);
            }
            return bigger;
        }

        /** Empties the table: the tags say which slots hold an id, so the ids' array is left as it is. */
        Table cleared(long now) {
            Arrays.fill(tags, (byte) 0);
            size = 0;
            startedAt = now;
            return this;
        }

        private static long hash(long hi, long lo) {
            // Random UUIDs are uniform already; the mix spreads ids that differ in a few bits only (hashed outcome ids are uniform too).
            return (hi ^ Long.rotateLeft(lo, 32)) * 0x9E3779B97F4A7C15L;
        }

        private static int index(long h, int slots) {
            // The product's high half, the best mixed, scaled to [0, slots) by a multiplication instead of a division.
            return (int) (((h >>> 32) * slots) >>> 32);
        }

        /** Eight bits of the hash that the index does not use (from its low half), never 0, which marks an empty slot. */
        private static byte tag(long h) {
            byte t = (byte) (h >>> 24);
            return t == 0 ? 1 : t;
        }
    }
}
