package dev.kairos.feedback.store;

import com.zaxxer.hikari.HikariDataSource;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.annotation.PreDestroy;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Whether the feedback store (H2 or PostgreSQL) answers, known at all times without asking it per
 * request: a background probe takes a connection from the primary pool and checks it
 * ({@code Connection.isValid}) every {@code kairos.feedback.store-probe.interval} (1 s), and the
 * {@code store} health indicator reads the last answer, so a {@code /health} call costs a field read.
 * The store counts as {@code DOWN} when the last probe failed, or when no probe has succeeded for
 * {@link #STALE_AFTER} probe intervals plus two seconds — a probe can wait for the pool as long as its
 * connection timeout (30 s) when the database stops answering, and {@code /health} should say so
 * sooner. State changes are logged once. Thread-safe.
 */
@Context
public class StoreHealth implements HealthIndicator {
    private static final Logger LOG = LoggerFactory.getLogger(StoreHealth.class);
    /** Probe intervals without a success (plus two seconds) after which the store counts as down. */
    private static final int STALE_AFTER = 3;

    private final HikariDataSource pool;
    private final ScheduledExecutorService probe;
    private final long staleNanos;
    private volatile boolean lastOk;
    private volatile long lastSuccess;
    private volatile boolean reportedUp;
    private volatile Instant since = Instant.now();
    private volatile String problem;

    public StoreHealth(HikariDataSource pool, @Value("${kairos.feedback.store-probe.interval:1s}") Duration interval) {
        this.pool = pool;
        long every = Math.max(50, interval.toMillis());
        this.staleNanos = TimeUnit.MILLISECONDS.toNanos(every * STALE_AFTER + 2_000);
        this.lastSuccess = System.nanoTime();
        this.probe = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kairos-store-probe");
            t.setDaemon(true);
            return t;
        });
        probe(); // the first answer before the service serves: the store is migrated at start, so it answers now
        probe.scheduleWithFixedDelay(this::probe, every, every, TimeUnit.MILLISECONDS);
    }

    private void probe() {
        boolean ok;
        String why = null;
        try (Connection c = pool.getConnection()) {
            ok = c.isValid(2);
            if (!ok) why = "the connection did not answer";
        } catch (Exception e) {
            ok = false;
            why = e.getClass().getSimpleName();
        }
        if (ok) lastSuccess = System.nanoTime();
        problem = why;
        lastOk = ok;
        isUp();
    }

    /** Whether the store answered lately (see the class comment); logs a change of state once. */
    public boolean isUp() {
        boolean up = lastOk && System.nanoTime() - lastSuccess < staleNanos;
        if (up != reportedUp) {
            synchronized (this) {
                if (up != reportedUp) {
                    reportedUp = up;
                    since = Instant.now();
                    if (up) LOG.info("the feedback store is reachable");
                    else LOG.warn("the feedback store is not reachable ({})", problem != null ? problem : "no answer for " + TimeUnit.NANOSECONDS.toSeconds(staleNanos) + " s");
                }
            }
        }
        return up;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        boolean up = isUp();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("since", since.toString());
        if (!up) details.put("problem", problem != null ? problem : "no answer from the store lately");
        return Publishers.just(HealthResult.builder("store", up ? HealthStatus.UP : HealthStatus.DOWN).details(details).build());
    }

    @PreDestroy
    void close() {
        probe.shutdownNow();
    }
}
