package dev.kairos.server.decide;

import dev.kairos.rules.Variant;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.engine.Evaluation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs rule evaluations on a bounded worker pool, never on the HTTP event loop, and answers each
 * within the decide deadline ({@link DecideConfig}): the result, or an {@link Outcome} that says
 * why there is none ({@code deadline}, {@code error}, {@code overloaded}). An evaluation still
 * running at its deadline is interrupted (the engine halts before its next firing) and abandoned;
 * a thread stuck in one is replaced, up to {@code max-abandoned} at a time, so one bad rule costs
 * its caller one deadline and nobody else anything. Metrics: {@code kairos.decide.deadline},
 * {@code kairos.decide.errors}, {@code kairos.decide.overloaded} (counters),
 * {@code kairos.decide.abandoned} (gauge of threads still stuck), and the {@code drools} and
 * {@code queue} stages of {@code kairos.decide.stage}. Thread-safe.
 */
@Singleton
public class GuardedEvaluator {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedEvaluator.class);

    /**
     * What became of one evaluation: {@code evaluation} when the rules answered; else
     * {@code failure} is {@code "deadline"} (running at the deadline: counts against the version),
     * {@code "error"} (it threw: counts against the version) or {@code "overloaded"} (it never
     * started: the server's fault, not the version's), with a sentence for the explanation.
     */
    public record Outcome(Evaluation evaluation, String failure, String why) {
        boolean countsAgainstVersion() { return "deadline".equals(failure) || "error".equals(failure); }
    }

    private final DecideConfig config;
    private final ThreadPoolExecutor pool;
    private final HashedWheelTimer timer;
    private final AtomicInteger abandoned = new AtomicInteger();
    private final AtomicInteger threads = new AtomicInteger();
    private final long deadlineNanos;
    private final Counter deadlines;
    private final Counter errors;
    private final Counter overloaded;
    private final Timer droolsStage;
    private final Timer queueStage;

    private final dev.kairos.rules.learn.Exploration exploration;

    public GuardedEvaluator(DecideConfig config, MeterRegistry meters) {
        this(config, meters, dev.kairos.rules.learn.Exploration.NONE);
    }

    /** With the bandit models and exploration bounds the rules' {@code choose(...)} are answered with. */
    @jakarta.inject.Inject
    public GuardedEvaluator(DecideConfig config, MeterRegistry meters, dev.kairos.rules.learn.Exploration exploration) {
        this.exploration = exploration;
        this.config = config;
        this.deadlineNanos = config.deadline().toNanos();
        int workers = config.workerThreads();
        this.pool = new ThreadPoolExecutor(workers, workers, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(config.queue()), r -> {
            Thread t = new Thread(r, "kairos-eval-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.timer = new HashedWheelTimer(r -> {
            Thread t = new Thread(r, "kairos-decide-deadlines");
            t.setDaemon(true);
            return t;
        }, 2, TimeUnit.MILLISECONDS, 512);
        this.deadlines = Counter.builder("kairos.decide.deadline").description("Evaluations answered with the fallback at the deadline").register(meters);
        this.errors = Counter.builder("kairos.decide.errors").description("Evaluations that threw and were answered with the fallback").register(meters);
        this.overloaded = Counter.builder("kairos.decide.overloaded").description("Evaluations that could not start in time (queue full or deadline while queued)").register(meters);
        Gauge.builder("kairos.decide.abandoned", abandoned, AtomicInteger::get).description("Evaluations abandoned at their deadline and still running").register(meters);
        this.droolsStage = DecisionService.stage(meters, "drools");
        this.queueStage = DecisionService.stage(meters, "queue");
    }

    /** The deadline of one evaluation. */
    public java.time.Duration deadline() { return config.deadline(); }

    /** Evaluates on the pool; the future always completes (never exceptionally) within about the deadline. */
    public CompletableFuture<Outcome> evaluate(CompiledRules rules, DecisionInput input, List<Variant> variants, boolean defaultsOnly) {
        Task task = new Task(rules, input, variants, defaultsOnly, System.nanoTime());
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            overloaded.increment();
            task.result.complete(fallback(task, "overloaded", "the server is overloaded; built-in fallback"));
            return task.result;
        }
        task.timeout = timer.newTimeout(t -> task.onDeadline(), deadlineNanos, TimeUnit.NANOSECONDS);
        return task.result;
    }

    private Outcome fallback(Task task, String failure, String why) {
        List<String> segments = task.input.segments().stream().map(dev.kairos.rules.Segment::getName).sorted().toList();
        return new Outcome(Evaluation.fallback(task.rules.version(), task.input.placements(), segments, failure, why), failure, why);
    }

    private final class Task implements Runnable {
        final CompiledRules rules;
        final DecisionInput input;
        final List<Variant> variants;
        final boolean defaultsOnly;
        final long submitted;
        final CompletableFuture<Outcome> result = new CompletableFuture<>();
        volatile Thread runner;
        volatile boolean abandonedHere;
        volatile Timeout timeout;

        Task(CompiledRules rules, DecisionInput input, List<Variant> variants, boolean defaultsOnly, long submitted) {
            this.rules = rules;
            this.input = input;
            this.variants = variants;
            this.defaultsOnly = defaultsOnly;
            this.submitted = submitted;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            queueStage.record(start - submitted, TimeUnit.NANOSECONDS);
            if (result.isDone()) return;
            runner = Thread.currentThread();
            try {
                Evaluation e = rules.evaluate(input, variants, defaultsOnly, exploration);
                droolsStage.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                if (result.complete(new Outcome(e, null, null))) cancelTimeout();
            } catch (Throwable t) {
                if (result.complete(fallback(this, "error", "the rules failed to evaluate; built-in fallback"))) {
                    cancelTimeout();
                    errors.increment();
                    LOG.warn("rules version {} failed to evaluate: {}", rules.version(), t.toString());
                }
                if (t instanceof Error err && !(t instanceof StackOverflowError)) throw err;
            } finally {
                synchronized (this) {
                    runner = null;
                    Thread.interrupted();
                    if (abandonedHere) released();
                }
            }
        }

        private void cancelTimeout() {
            Timeout t = timeout;
            if (t != null) t.cancel();
        }

        /** Runs on the timer thread at the deadline. */
        void onDeadline() {
            synchronized (this) {
                Thread r = runner;
                if (r == null) {
                    if (result.complete(fallback(this, "overloaded", "the rules could not start within the deadline; built-in fallback"))) {
                        overloaded.increment();
                        pool.remove(this);
                    }
                    return;
                }
                if (!result.complete(fallback(this, "deadline", "the rules did not answer within " + config.deadline().toMillis() + " ms; built-in fallback"))) {
                    return;
                }
                deadlines.increment();
                r.interrupt();
                abandonedHere = true;
                if (abandoned.incrementAndGet() <= config.maxAbandoned()) {
                    // The stuck thread may never come back: add one to keep serving everyone else.
                    resize(+1);
                }
            }
            LOG.warn("rules version {} did not answer within {} ms; the evaluation was interrupted and abandoned", rules.version(), config.deadline().toMillis());
        }

        /** The abandoned evaluation finally returned: its extra thread is no longer needed. */
        private void released() {
            if (abandoned.getAndDecrement() <= config.maxAbandoned()) resize(-1);
        }
    }

    private synchronized void resize(int delta) {
        int size = Math.max(config.workerThreads(), pool.getMaximumPoolSize() + delta);
        if (delta > 0) {
            pool.setMaximumPoolSize(size);
            pool.setCorePoolSize(size);
        } else {
            pool.setCorePoolSize(size);
            pool.setMaximumPoolSize(size);
        }
    }

    /** Worker threads now (grows while evaluations are abandoned). */
    int poolSize() { return pool.getMaximumPoolSize(); }

    /** Stops taking evaluations; waits up to {@code seconds} for those running. */
    public void shutdown(long seconds) throws InterruptedException {
        pool.shutdown();
        pool.awaitTermination(seconds, TimeUnit.SECONDS);
    }

    @PreDestroy
    void close() {
        pool.shutdownNow();
        timer.stop();
    }
}
