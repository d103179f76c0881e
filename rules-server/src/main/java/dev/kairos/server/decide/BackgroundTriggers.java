package dev.kairos.server.decide;

import dev.kairos.server.signals.SignalsView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Triggers for users who are not in the app. A rule such as "a large cart left for 30 minutes:
 * email" must fire when the user has gone, when no decide request comes. Every
 * {@code kairos.triggers.background.interval} (1 min) this sweeps the users this instance's signal
 * engine folds and evaluates the rules once for each user who reached a checkpoint since the last
 * sweep: {@code kairos.triggers.background.after} after their last event (30 min and 24 h by
 * default). The evaluation is a decision with one placement, {@code background}, no context but
 * the time, on the user's stored signals and profile, through the same version routing, experiment
 * holdouts and evaluation pool as decide; only its triggers are used (logged as a background
 * decision record, so the feedback service delivers them with the same idempotency, cool-down,
 * rate limit and opt-outs).
 *
 * <p>Each user is owned by one instance's signal engine, so each is swept once. The sweep reads
 * the whole local store (one state read per user), once per interval, and evaluates at most
 * {@value #IN_FLIGHT} users at a time on the shared evaluation pool, so decide requests are not
 * crowded out.
 */
@Context
public class BackgroundTriggers {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundTriggers.class);

    private final DecisionService decisions;
    private final SignalsView signals;
    private final List<Duration> after;
    private final ScheduledExecutorService scheduler;
    private final Counter evaluated;
    private final Counter emitted;
    private volatile long lastSweep;

    public BackgroundTriggers(DecisionService decisions, SignalsView signals, MeterRegistry meters,
                              @Value("${kairos.triggers.background.enabled:true}") boolean enabled,
                              @Value("${kairos.triggers.background.interval:1m}") Duration interval,
                              @Value("${kairos.triggers.background.after:30m,24h}") List<Duration> after) {
        this.decisions = decisions;
        this.signals = signals;
        this.after = List.copyOf(after);
        this.evaluated = Counter.builder("kairos.triggers.background.evaluated").description("Idle users evaluated for triggers").register(meters);
        this.emitted = Counter.builder("kairos.triggers.background.emitted").description("Triggers emitted by background evaluations").register(meters);
        this.lastSweep = System.currentTimeMillis();
        if (!enabled || this.after.isEmpty()) {
            this.scheduler = null;
            return;
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kairos-background-triggers");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, interval.toMillis());
        scheduler.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    private void sweepQuietly() {
        try {
            sweep(System.currentTimeMillis());
        } catch (RuntimeException e) {
            LOG.warn("background trigger sweep failed: {}", e.toString());
        }
    }

    /** At most this many background evaluations wait for or use the evaluation pool at once: decide requests come first. */
    static final int IN_FLIGHT = 2;

    /** Evaluates the users who reached a checkpoint in (last sweep, {@code now}]; returns how many. */
    int sweep(long now) {
        long from = lastSweep;
        List<String> keys = new ArrayList<>();
        List<dev.kairos.server.signals.UserState> states = new ArrayList<>();
        signals.forEachOwned((key, state) -> {
            if (state.lastSeen <= 0) return;
            for (Duration d : after) {
                long checkpoint = state.lastSeen + d.toMillis();
                if (checkpoint > from && checkpoint <= now) {
                    keys.add(key);
                    states.add(state);
                    break;
                }
            }
        });
        lastSweep = now;
        // a few at a time, so a sweep of many idle users never crowds decide requests out of the evaluation pool
        java.util.ArrayDeque<java.util.concurrent.CompletableFuture<Integer>> running = new java.util.ArrayDeque<>();
        int triggers = 0;
        for (int i = 0; i < keys.size(); i++) {
            if (running.size() >= IN_FLIGHT) triggers += running.poll().join();
            running.add(decisions.background(keys.get(i), states.get(i)).exceptionally(e -> {
                LOG.debug("background evaluation of a user failed: {}", e.toString());
                return 0;
            }));
        }
        while (!running.isEmpty()) triggers += running.poll().join();
        evaluated.increment(keys.size());
        emitted.increment(triggers);
        if (!keys.isEmpty()) LOG.debug("background sweep: {} users evaluated, {} triggers", keys.size(), triggers);
        return keys.size();
    }

    @PreDestroy
    void close() {
        if (scheduler != null) scheduler.shutdownNow();
    }
}
