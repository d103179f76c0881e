package dev.kairos.server.rules;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The recent health of one serving rules version: a ring of its last {@code window} evaluations,
 * each a success or a failure, and the count of failures in it. Recording a success costs one
 * atomic increment (and a read of the slot it overwrites); the breaker trips once, when the
 * failures in the window reach {@link BreakerConfig#failuresToTrip()}. Thread-safe; under
 * concurrent recording the count may be off by the few evaluations in flight, which does not
 * matter for a threshold.
 */
final class Breaker {
    private final AtomicIntegerArray ring;
    private final AtomicLong next = new AtomicLong();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger timeouts = new AtomicInteger();
    private final AtomicBoolean tripped = new AtomicBoolean();
    private final int toTrip;

    Breaker(BreakerConfig config) {
        this.ring = new AtomicIntegerArray(config.window());
        this.toTrip = config.failuresToTrip();
    }

    /**
     * Records one evaluation; {@code failure} is null for a success, else {@code "deadline"} or
     * {@code "error"}. Returns true exactly once: for the evaluation that trips the breaker.
     */
    boolean record(String failure) {
        int slot = (int) Math.floorMod(next.getAndIncrement(), ring.length());
        int now = failure == null ? 0 : failure.equals("deadline") ? 2 : 1;
        int before = now == 0 && ring.get(slot) == 0 ? 0 : ring.getAndSet(slot, now);
        if (before != 0 && now == 0) {
            failures.decrementAndGet();
            if (before == 2) timeouts.decrementAndGet();
        } else if (before == 0 && now != 0) {
            failures.incrementAndGet();
            if (now == 2) timeouts.incrementAndGet();
        } else if (before != now) {
            timeouts.addAndGet(now == 2 ? 1 : -1);
        }
        return now != 0 && failures.get() >= toTrip && tripped.compareAndSet(false, true);
    }

    /** Why the breaker tripped, e.g. "12 of the last 1000 evaluations failed (9 past the deadline, 3 errors)". */
    String reason() {
        int f = failures.get();
        int t = timeouts.get();
        long seen = Math.min(next.get(), ring.length());
        return f + " of the last " + seen + " evaluations failed (" + t + " past the deadline, " + (f - t) + " errors)";
    }
}
