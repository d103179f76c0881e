package dev.kairos.sdk;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long the SDK waits before retrying a failed delivery. The default is
 * {@link #exponential(Duration, Duration) exponential(1 s, 5 min)} with jitter, so many devices
 * that lost the server at once do not come back at the same instant. A server's {@code Retry-After}
 * wins when it asks for longer.
 */
@FunctionalInterface
public interface Backoff {
    /** The wait before retry number {@code attempt} (1 for the first retry). */
    Duration delay(int attempt);

    /**
     * {@code base · 2^(attempt−1)}, capped at {@code max}, then a uniformly random value between half
     * of that and all of it ("equal jitter": never retries at once, never in lock-step).
     */
    static Backoff exponential(Duration base, Duration max) {
        if (base == null || base.isNegative() || base.isZero()) throw new IllegalArgumentException("base must be positive, was " + base);
        if (max == null || max.compareTo(base) < 0) throw new IllegalArgumentException("max must be at least base (" + base + "), was " + max);
        long baseMs = base.toMillis();
        long maxMs = max.toMillis();
        return attempt -> {
            int shift = Math.max(0, Math.min(attempt - 1, 30));
            long ceiling = Math.min(maxMs, baseMs << shift);
            if (ceiling <= 0) ceiling = maxMs;
            return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
        };
    }
}
