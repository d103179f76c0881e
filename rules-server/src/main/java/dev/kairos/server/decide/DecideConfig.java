package dev.kairos.server.decide;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * How decisions are evaluated ({@code kairos.decide.*}): off the HTTP event loop, on a pool of
 * {@code workers} threads (0: two per core) with a queue of {@code queue} evaluations, each
 * answered within {@code deadline} (default 50 ms) or with the built-in fallback. An evaluation
 * still running at its deadline is interrupted and abandoned; while up to {@code max-abandoned}
 * are stuck, the pool grows by one thread each so other users keep being served.
 */
@ConfigurationProperties("kairos.decide")
public record DecideConfig(@Bindable(defaultValue = "50ms") Duration deadline,
                           @Bindable(defaultValue = "0") int workers,
                           @Bindable(defaultValue = "1024") int queue,
                           @Bindable(defaultValue = "8") int maxAbandoned) {
    public DecideConfig {
        if (deadline == null || deadline.isNegative() || deadline.isZero() || deadline.toSeconds() > 60) {
            throw new IllegalArgumentException("kairos.decide.deadline must be between 1 ms and 60 s, was " + deadline);
        }
        if (workers < 0 || workers > 1024) throw new IllegalArgumentException("kairos.decide.workers must be 0 (two per core) to 1024, was " + workers);
        if (queue < 1 || queue > 1_000_000) throw new IllegalArgumentException("kairos.decide.queue must be 1 to 1000000, was " + queue);
        if (maxAbandoned < 0 || maxAbandoned > 1024) throw new IllegalArgumentException("kairos.decide.max-abandoned must be 0 to 1024, was " + maxAbandoned);
    }

    /** Worker threads, with 0 resolved to two per core. */
    public int workerThreads() {
        return workers > 0 ? workers : 2 * Runtime.getRuntime().availableProcessors();
    }
}
