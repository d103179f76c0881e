package dev.kairos.feedback.replay;

import dev.kairos.feedback.store.FeedbackStore;
import io.micronaut.context.annotation.Value;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;

/**
 * Keeps the replay facts bounded: every hour (and a minute after start), deletes the facts of
 * decisions older than {@code kairos.feedback.facts-retention} ({@code KAIROS_FACTS_RETENTION},
 * default 14 days). Decisions, outcomes and KPIs are untouched; only what replay reads goes.
 * Every instance sharing the database runs it; the deletes are idempotent.
 */
@Singleton
public class FactsRetention {
    private static final Logger LOG = LoggerFactory.getLogger(FactsRetention.class);

    private final FeedbackStore store;
    private final Duration retention;
    private final Clock clock;

    public FactsRetention(FeedbackStore store, @Value("${kairos.feedback.facts-retention:14d}") Duration retention) {
        this(store, retention, Clock.systemUTC());
    }

    FactsRetention(FeedbackStore store, Duration retention, Clock clock) {
        if (retention.isNegative() || retention.isZero()) throw new IllegalArgumentException("kairos.feedback.facts-retention must be positive");
        this.store = store;
        this.retention = retention;
        this.clock = clock;
    }

    /** How long facts are kept. */
    public Duration retention() { return retention; }

    @Scheduled(initialDelay = "1m", fixedDelay = "1h")
    void scheduled() {
        try {
            prune();
        } catch (RuntimeException e) {
            LOG.warn("pruning replay facts failed (retried in an hour): {}", e.toString());
        }
    }

    /** Deletes the facts older than the retention now; returns how many. */
    public int prune() {
        int n = store.pruneFacts(clock.millis() - retention.toMillis());
        if (n > 0) LOG.info("pruned the replay facts of {} decisions older than {}", n, retention);
        return n;
    }
}
