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
 *
 * <p>Where user state is kept for decide ({@code mode}, docs/operations.md#signals-global-or-partitioned):
 * {@code global} (default) gives every instance a copy of every user's signals; {@code partitioned}
 * keeps each user only on the instance that owns the user's partition (and its standby, {@code
 * standby-replicas}), and a decide elsewhere asks that instance at {@code advertised} (host:port of
 * this instance's HTTP server, as the other instances reach it), waiting at most {@code remote-timeout}.
 *
 * <p>How each event is counted once ({@code exactly-once}, docs/operations.md#counting-each-event-once):
 * {@code false} (default) runs the engine at least once and skips any event id seen in the last 24 h
 * (the {@code seen-events} store); {@code true} (partitioned mode only) runs it with Kafka's
 * exactly-once processing instead, which keeps crash replays exact without the id store and folds
 * 1.4-1.6 times as many events per second, but counts a client's retry twice when ingest's recent
 * ids miss it (another instance took the first try, the instance restarted since, or an hour passed).
 */
@ConfigurationProperties("kairos.signals")
public record SignalConfig(
        @Bindable(defaultValue = "30m") Duration sessionTimeout,
        @Bindable(defaultValue = "3000") double rapidScrollVelocity,
        @Bindable(defaultValue = "3") int rapidScrollRun,
        @Bindable(defaultValue = "10m") Duration productBurstWindow,
        @Bindable(defaultValue = "60s") Duration adTapWindow,
        @Bindable(defaultValue = "7d") Duration halfLife,
        @Bindable(defaultValue = "30m") Duration maxDwell,
        @Bindable(defaultValue = "global") String mode,
        @Bindable(defaultValue = "1") int standbyReplicas,
        @Bindable(defaultValue = "50ms") Duration remoteTimeout,
        @Bindable(defaultValue = "false") boolean exactlyOnce,
        @io.micronaut.core.annotation.Nullable String advertised) {

    public static final String GLOBAL = "global";
    public static final String PARTITIONED = "partitioned";

    public SignalConfig {
        if (!GLOBAL.equals(mode) && !PARTITIONED.equals(mode)) {
            throw new IllegalArgumentException("kairos.signals.mode must be 'global' or 'partitioned', was '" + mode + "'");
        }
        if (standbyReplicas < 0) throw new IllegalArgumentException("kairos.signals.standby-replicas must be 0 or more");
        if (exactlyOnce && !PARTITIONED.equals(mode)) {
            // Every instance's global view reads kairos.signals; with transactions it would see a state only once its
            // transaction commits (the commit interval, a second), where it sees it within milliseconds today.
            throw new IllegalArgumentException("kairos.signals.exactly-once needs kairos.signals.mode=partitioned: in global mode "
                    + "every instance's view would see a new state only when its transaction commits, about a second later");
        }
    }

    /** Whether each instance keeps only the users of its own partitions. */
    public boolean partitioned() {
        return PARTITIONED.equals(mode);
    }

    /** The defaults, for tests and tools. */
    public static SignalConfig defaults() {
        return new SignalConfig(Duration.ofMinutes(30), 3000, 3, Duration.ofMinutes(10), Duration.ofSeconds(60),
                Duration.ofDays(7), Duration.ofMinutes(30), GLOBAL, 1, Duration.ofMillis(50), false, null);
    }
}
