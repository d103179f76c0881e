package dev.kairos.service.health;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Liveness;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Whether threads of this JVM are deadlocked (monitors or locks), checked in the background every
 * {@code kairos.deadlock-check.interval} (10 s) and read by {@code /health} and
 * {@code /health/liveness} as a field: {@code DOWN}, with the threads' names, once a deadlock is seen.
 *
 * <p>It replaces Micronaut's deadlocked-threads indicator ({@code
 * endpoints.health.deadlocked-threads.enabled: false} in both services), which asks the JVM on every
 * call: each {@code /health} was a {@code FindDeadlocks} safepoint that pauses every thread of the
 * server, decide and the signal engine included (26,327 of them in 20 s of health checks,
 * docs/benchmarks.md §17). Thread-safe.
 */
@Singleton
@Liveness
@Requires(property = "endpoints.health.enabled", notEquals = "false")
public class DeadlockHealth implements HealthIndicator {
    private static final Logger LOG = LoggerFactory.getLogger(DeadlockHealth.class);

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final ScheduledExecutorService check;
    private volatile List<String> deadlocked = List.of();

    public DeadlockHealth(@Value("${kairos.deadlock-check.interval:10s}") Duration interval) {
        this.check = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kairos-deadlock-check");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, interval.toMillis());
        // The first look at once: the bean is made by the first /health call, which should not wait 10 s for it.
        check.scheduleWithFixedDelay(() -> {
            try {
                check();
            } catch (RuntimeException e) { // keep the schedule: an exception would end it silently
                LOG.warn("cannot look for deadlocked threads: {}", e.toString());
            }
        }, 0, every, TimeUnit.MILLISECONDS);
    }

    /** Looks for deadlocked threads now (one safepoint) and keeps the answer; returns their names. */
    public List<String> check() {
        long[] ids = threads.findDeadlockedThreads();
        List<String> names = new ArrayList<>();
        if (ids != null) {
            for (ThreadInfo info : threads.getThreadInfo(ids)) {
                if (info != null) names.add(info.getThreadName());
            }
        }
        if (!names.isEmpty() && deadlocked.isEmpty()) LOG.error("deadlocked threads: {}", names);
        deadlocked = List.copyOf(names);
        return deadlocked;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        List<String> now = deadlocked;
        HealthResult.Builder result = HealthResult.builder("deadlockedThreads", now.isEmpty() ? HealthStatus.UP : HealthStatus.DOWN);
        if (!now.isEmpty()) result.details(Map.of("threads", now));
        return Publishers.just(result.build());
    }

    @PreDestroy
    void close() {
        check.shutdownNow();
    }
}
