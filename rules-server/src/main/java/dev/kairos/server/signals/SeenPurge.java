package dev.kairos.server.signals;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Forgets the event ids of a task's {@code seen-events} store once they are older than the
 * de-duplication window, a slice of the store per {@link #TICK}, so that one pass over the whole
 * store takes about {@link #PASS}: an id is forgotten between the window and the window plus a pass
 * after it was seen (until then it is still stored, and {@link SignalProcessor} treats it as unseen).
 *
 * <p>The ids are random, so the store is not in time order and finding the old ones means reading all
 * of them: about a day of events. Read in one go every 10 minutes, that stalled the fold for as long as
 * the read took (at 1,000 events/s, 86 million ids on one instance: half a minute of every 10). A slice
 * is at least {@link #MIN_SLICE} ids and otherwise the store's estimated size over the ticks of a pass,
 * so each tick's read is short and a full pass reads the store once an hour instead of six times. Not
 * thread-safe: one per task, called on its stream thread.
 */
final class SeenPurge {
    /** How long one pass over the whole store takes, about. */
    static final Duration PASS = Duration.ofHours(1);
    /** How often a slice is read. */
    static final Duration TICK = Duration.ofMillis(100);
    static final int MIN_SLICE = 100;

    private final long windowMillis;
    private final String keep;
    /** The last id the previous tick looked at; null: the next tick starts a pass at the store's first id. */
    private String resumeAfter;
    /** Ids to look at per tick, set at the start of each pass from the store's estimated size. */
    private long slice = MIN_SLICE;

    /**
     * @param window ids seen longer ago than this are forgotten
     * @param keep a key that is not an event id and is never deleted (a marker the processor keeps in the store)
     */
    SeenPurge(Duration window, String keep) {
        this.windowMillis = window.toMillis();
        this.keep = keep;
    }

    /** Ids to look at per tick for a store of about {@code entries} ids: all of them in {@link #PASS}. */
    static long sliceFor(long entries) {
        long ticks = PASS.toMillis() / TICK.toMillis();
        return Math.max(MIN_SLICE, (Math.max(0, entries) + ticks - 1) / ticks);
    }

    /** Reads the next slice of {@code seen} and deletes its ids seen before {@code now} minus the window; returns how many. */
    int tick(KeyValueStore<String, byte[]> seen, long now) {
        if (resumeAfter == null) slice = sliceFor(seen.approximateNumEntries());
        long cutoff = now - windowMillis;
        List<String> old = new ArrayList<>();
        long looked = 0;
        String last = null;
        boolean passDone = true;
        // From the id the last tick stopped at (range's lower bound is inclusive: it was looked at already).
        try (KeyValueIterator<String, byte[]> it = seen.range(resumeAfter, null)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                if (kv.key.equals(resumeAfter)) continue;
                if (looked == slice) {
                    passDone = false;
                    break;
                }
                looked++;
                last = kv.key;
                if (SeenValue.at(kv.value) < cutoff && !kv.key.equals(keep)) old.add(kv.key);
            }
        }
        for (String id : old) seen.delete(id);
        resumeAfter = passDone ? null : last;
        return old.size();
    }
}
