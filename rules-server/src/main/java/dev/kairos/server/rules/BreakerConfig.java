package dev.kairos.server.rules;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * The rules circuit breaker ({@code kairos.breaker.*}): a rules version whose evaluations fail
 * (throw, or run past the decide deadline) {@code threshold} of the time or more within its last
 * {@code window} evaluations is taken out of service. Defaults: enabled, a window of 1,000
 * evaluations, threshold 0.01 (10 failures in the last 1,000).
 */
@ConfigurationProperties("kairos.breaker")
public record BreakerConfig(@Bindable(defaultValue = "true") boolean enabled,
                            @Bindable(defaultValue = "1000") int window,
                            @Bindable(defaultValue = "0.01") double threshold) {
    public BreakerConfig {
        if (window < 10 || window > 1_000_000) throw new IllegalArgumentException("kairos.breaker.window must be between 10 and 1000000, was " + window);
        if (!(threshold > 0 && threshold <= 1)) throw new IllegalArgumentException("kairos.breaker.threshold must be in (0, 1], was " + threshold);
    }

    /** Failures within the window that trip the breaker (at least 1). */
    public int failuresToTrip() {
        return Math.max(1, (int) Math.ceil(threshold * window));
    }
}
