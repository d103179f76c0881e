package dev.kairos.server.signals;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * Tunables of the signal engine under {@code kairos.signals.*} (docs/signals.md):
 * a session ends after {@code session-timeout} (30 min) without events; a scroll faster than
 * {@code rapid-scroll-velocity} px/s (3000) or flagged {@code rapid} is rapid, and
 * {@code rapid-scroll-run} (3) in a row count as one burst; product views within
 * {@code product-burst-window} (10 min) count as recent; ad taps within {@code ad-tap-window}
 * (60 s) make the tap rate; cross-session averages and peak hours decay with {@code half-life}
 * (7 days); dwell on one page is capped at {@code max-dwell} (30 min).
 */
@ConfigurationProperties("kairos.signals")
public record SignalConfig(
        @Bindable(defaultValue = "30m") Duration sessionTimeout,
        @Bindable(defaultValue = "3000") double rapidScrollVelocity,
        @Bindable(defaultValue = "3") int rapidScrollRun,
        @Bindable(defaultValue = "10m") Duration productBurstWindow,
        @Bindable(defaultValue = "60s") Duration adTapWindow,
        @Bindable(defaultValue = "7d") Duration halfLife,
        @Bindable(defaultValue = "30m") Duration maxDwell) {

    /** The defaults, for tests and tools. */
    public static SignalConfig defaults() {
        return new SignalConfig(Duration.ofMinutes(30), 3000, 3, Duration.ofMinutes(10), Duration.ofSeconds(60),
                Duration.ofDays(7), Duration.ofMinutes(30));
    }
}
