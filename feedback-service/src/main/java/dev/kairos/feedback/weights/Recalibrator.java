package dev.kairos.feedback.weights;

import dev.kairos.service.api.ApiException;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Refits the intent-score weights from logged signals and outcomes, and publishes them only when
 * they are not worse than the weights in use.
 * <ol>
 *   <li>Samples: every decision placement shown in the last {@code days} days, with the decision's
 *       recency, depth and conversion probability, labelled engaged when clicked or converted.</li>
 *   <li>Split by a hash of the decision id: {@code holdoutPercent} % held out, the rest fitted with
 *       an L2-regularized logistic regression (engaged ~ recency + depth + conversionProbability).</li>
 *   <li>Weights: the fitted coefficients, negatives clipped to 0 (a score that falls as a signal
 *       rises is not an intent score), scaled to sum to 1 so the score stays in 0..1 and the
 *       {@code highIntentThreshold} keeps its meaning. Named weights are carried over.</li>
 *   <li>Validation: the AUC of the candidate's score and of the current weights' score on the
 *       held-out slice; the candidate is published only if its AUC is at least the current one.</li>
 *   <li>Off-policy estimate: the pack in use replayed on the window's logged decisions with the
 *       candidate weights ({@link OffPolicyEstimator}); a candidate whose estimated engagement change
 *       is below 0 with 95 % confidence even when every placement it changes where the logs never
 *       explored is counted as engaged is rejected (such placements can only bias the estimate
 *       downwards, by at most their share); the estimate is stored with the version either way.</li>
 * </ol>
 * Samples that content explored with {@code choose(...)} weigh {@code 1 / propensity} in the fit and
 * in the AUC (inverse propensity weighting, capped at {@link TrainingSet#MAX_WEIGHT}), so logged
 * exploration is learned from without the logging policy's bias.
 * Samples are streamed from {@code placement_outcomes} into primitive columns (a uniform sample of
 * {@code maxSamples} when there are more), so memory is about 12 bytes a sample.
 * One run at a time, across instances sharing the database (a lease in {@code job_leases}): a
 * second concurrent run, or a rollback during one, is refused. Thread-safe.
 */
@Singleton
public class Recalibrator {
    private static final Logger LOG = LoggerFactory.getLogger(Recalibrator.class);
    /** The database lease that keeps recalibrations and rollbacks of several instances apart. */
    static final String LEASE = "recalibration";
    /** How long a lease lasts if its holder dies without giving it back. */
    static final Duration LEASE_TIME = Duration.ofHours(1);
    /** A scheduled run is skipped when any instance started one less than this long ago. */
    static final Duration SCHEDULE_GAP = Duration.ofHours(1);
    private static final DateTimeFormatter VERSION = DateTimeFormatter.ofPattern("'w'yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final WeightsStore store;
    private final WeightsPublisher publisher;
    private final RecalibrationConfig config;
    private final Clock clock;
    private final OffPolicyEstimator estimator;
    private final ReentrantLock running = new ReentrantLock();
    private final String instanceId = UUID.randomUUID().toString();

    @jakarta.inject.Inject
    public Recalibrator(WeightsStore store, WeightsPublisher publisher, RecalibrationConfig config, OffPolicyEstimator estimator) {
        this(store, publisher, config, Clock.systemUTC(), estimator);
    }

    Recalibrator(WeightsStore store, WeightsPublisher publisher, RecalibrationConfig config, Clock clock) {
        this(store, publisher, config, clock, OffPolicyEstimator.NONE);
    }

    Recalibrator(WeightsStore store, WeightsPublisher publisher, RecalibrationConfig config, Clock clock, OffPolicyEstimator estimator) {
        this.store = store;
        this.publisher = publisher;
        this.config = config;
        this.clock = clock;
        this.estimator = estimator;
    }

    /** Runs one recalibration over the last {@code days} days (the configured number when {@code null}). */
    public RecalibrationResult run(Integer days) {
        return exclusively(Long.MAX_VALUE, true, () -> recalibrate(days == null ? config.days() : days))
                .orElseThrow(() -> ApiException.conflict("recalibration_running",
                        "a recalibration is already running; try again when it has finished"));
    }

    /**
     * The scheduled run: like {@link #run} with the configured days, unless another instance on the
     * same database is running one or started one in the last {@link #SCHEDULE_GAP} (every instance's
     * schedule fires; one of them does the work). Empty when skipped for that reason.
     */
    public Optional<RecalibrationResult> runScheduled() {
        return exclusively(clock.millis() - SCHEDULE_GAP.toMillis(), true, () -> recalibrate(config.days()));
    }

    /**
     * Runs {@code job} holding this instance's lock and the database lease (so no other instance
     * recalibrates or rolls back meanwhile), if the lease was last taken no later than
     * {@code startedNoLaterThan}; empty when either is held. {@code start}: this is a recalibration
     * (it counts for {@link #SCHEDULE_GAP}).
     */
    private <T> Optional<T> exclusively(long startedNoLaterThan, boolean start, Supplier<T> job) {
        if (!running.tryLock()) return Optional.empty();
        try {
            long now = clock.millis();
            if (!store.tryLease(LEASE, instanceId, now, now + LEASE_TIME.toMillis(), startedNoLaterThan, start)) return Optional.empty();
            try {
                return Optional.of(job.get());
            } finally {
                store.releaseLease(LEASE, instanceId);
            }
        } finally {
            running.unlock();
        }
    }

    private RecalibrationResult recalibrate(int days) {
        long started = System.nanoTime();
        Instant now = clock.instant();
        WeightsVersion current = store.current();
        TrainingSet samples = new TrainingSet(config.maxSamples(), config.holdoutPercent());
        store.forEachSample(now.minus(Duration.ofDays(days)).toEpochMilli(), now.toEpochMilli() + 1, samples);
        TrainingSet.Part fit = samples.fit, holdout = samples.holdout;
        long read = samples.seen();
        if (fit.size < config.minSamples() || holdout.positives < config.minPositives() || holdout.negatives() < config.minPositives()) {
            String reason = "too little data: " + fit.size + " shown placements to fit (need " + config.minSamples() + "), "
                    + holdout.positives + " engaged and " + holdout.negatives() + " not engaged held out (need " + config.minPositives() + " of each)";
            return new RecalibrationResult("skipped", reason, null, current, read, millisSince(started));
        }
        boolean weighted = fit.weighted() || holdout.weighted();
        double[] beta = LogisticRegression.fit(new float[][] {fit.recency, fit.depth, fit.conversion}, fit.engaged, fit.size, config.lambda(),
                weighted ? fit.weight : null);
        double r = Math.max(0, beta[1]), d = Math.max(0, beta[2]), c = Math.max(0, beta[3]);
        double sum = r + d + c;
        String version = newVersion(now);
        if (!(sum > 0) || !Double.isFinite(sum)) {
            WeightsVersion rejected = new WeightsVersion(version, now, 0, 0, 0, current.named(), (long) fit.size, (long) holdout.size,
                    null, null, current.version(), WeightsVersion.REJECTED, "no signal component predicts engagement");
            store.save(rejected);
            return new RecalibrationResult(WeightsVersion.REJECTED, rejected.reason(), rejected, current, read, millisSince(started));
        }
        double[] candidateScores = new double[holdout.size];
        double[] currentScores = new double[holdout.size];
        for (int i = 0; i < holdout.size; i++) {
            candidateScores[i] = (r * holdout.recency[i] + d * holdout.depth[i] + c * holdout.conversion[i]) / sum;
            currentScores[i] = current.score(holdout.recency[i], holdout.depth[i], holdout.conversion[i]);
        }
        float[] holdoutWeights = weighted ? holdout.weight : null;
        double candidateAuc = LogisticRegression.auc(candidateScores, holdout.engaged, holdout.size, holdoutWeights);
        double currentAuc = LogisticRegression.auc(currentScores, holdout.engaged, holdout.size, holdoutWeights);
        boolean notWorse = candidateAuc >= currentAuc - 1e-12;
        String reason = String.format(Locale.ROOT, "held-out %sAUC %.4f vs %.4f for %s on %d placements", weighted ? "propensity-weighted " : "",
                candidateAuc, currentAuc, current.version(), holdout.size);
        if (read > fit.size + holdout.size) {
            reason += String.format(Locale.ROOT, " (a uniform sample of %d of %d shown placements)", fit.size + holdout.size, read);
        }
        WeightsVersion candidate = new WeightsVersion(version, now, r / sum, d / sum, c / sum, current.named(), (long) fit.size,
                (long) holdout.size, candidateAuc, currentAuc, current.version(),
                notWorse ? WeightsVersion.PUBLISHED : WeightsVersion.REJECTED, (notWorse ? "not worse: " : "worse: ") + reason);
        if (notWorse) {
            // Before publishing: what the pack in use would do with these weights on the logged traffic.
            WeightsVersion.OffPolicy estimate = estimator.estimate(candidate, now.minus(Duration.ofDays(days)), now.plusMillis(1));
            candidate = candidate.withOffPolicy(estimate);
            String ope = estimate.available()
                    ? String.format(Locale.ROOT, "; off-policy estimate %+.2f points (95 %% CI %+.2f to %+.2f) over %d replayed decisions",
                            estimate.ctrDelta() * 100, estimate.ciLow() * 100, estimate.ciHigh() * 100, estimate.replayed())
                    + (estimate.inconclusive() ? String.format(Locale.ROOT, ", inconclusive: %.1f %% of shown placements change where the logs "
                            + "never explored, enough to explain the difference", estimate.unsupported() * 100) : "")
                    : "; no off-policy estimate (" + estimate.note() + ")";
            reason += ope;
            if (estimate.confidentlyWorse()) {
                notWorse = false;
                candidate = candidate.judged(WeightsVersion.REJECTED, "worse off-policy: " + reason);
            } else {
                candidate = candidate.judged(WeightsVersion.PUBLISHED, "not worse: " + reason);
            }
        }
        if (!notWorse) {
            store.save(candidate);
            LOG.info("recalibration: kept {} ({})", current.version(), reason);
            return new RecalibrationResult(WeightsVersion.REJECTED, candidate.reason(), candidate, current, read, millisSince(started));
        }
        publish(candidate, true, "recalibrate");
        LOG.info("recalibration: published {} ({})", candidate.version(), reason);
        return new RecalibrationResult(WeightsVersion.PUBLISHED, candidate.reason(), candidate, candidate, read, millisSince(started));
    }

    /**
     * Stores {@code v} as published (with the version itself when {@code newVersion}) in one
     * transaction, then sends it to rules-server; if sending fails, the publication is retracted
     * and the 503 passed on. The database is the record of what is in use: should the process die
     * between the two steps, {@link #republishCurrent} sends it at the next start.
     */
    private void publish(WeightsVersion v, boolean newVersion, String action) {
        long seq = newVersion ? store.saveAsPublished(v, clock.instant(), action) : store.published(v.version(), clock.instant(), action);
        try {
            publisher.publish(v);
        } catch (RuntimeException e) {
            store.retract(v.version(), seq, newVersion);
            throw e;
        }
    }

    /** Publishes an earlier published version again, making it the one in use. */
    public WeightsVersion rollback(String version) {
        // Never while a recalibration runs (here or on another instance): it validated against the
        // version in use when it began and would silently undo the rollback when it publishes.
        return exclusively(Long.MAX_VALUE, false, () -> {
            WeightsVersion v = store.version(version).orElseThrow(() -> ApiException.notFound("no weights version " + version));
            if (!WeightsVersion.PUBLISHED.equals(v.status()) && !WeightsVersion.DEFAULT.equals(v.status())) {
                throw ApiException.conflict("not_publishable", "version " + version + " was rejected by validation and cannot be published");
            }
            publish(v, false, "rollback");
            return v;
        }).orElseThrow(() -> ApiException.conflict("recalibration_running", "a recalibration is running; roll back when it has finished"));
    }

    /**
     * Sends the version the database says is in use to the weights topic again (a no-op for
     * rules-server when it already has it). Called at start, so a crash between storing and sending
     * a publication cannot leave rules-server on an older version. Returns the version sent, or
     * empty when none was ever published or a recalibration or rollback is running (it publishes).
     */
    public Optional<WeightsVersion> republishCurrent() {
        // Under the lease: a publication in progress elsewhere sends its own version, and must not
        // be overtaken by this one sending the version it replaces.
        return exclusively(Long.MAX_VALUE, false, () -> {
            if (store.publications().isEmpty()) return Optional.<WeightsVersion>empty();
            WeightsVersion current = store.current();
            publisher.publish(current);
            return Optional.of(current);
        }).flatMap(v -> v);
    }

    private String newVersion(Instant now) {
        String base = VERSION.format(now);
        String v = base;
        for (int i = 2; store.version(v).isPresent(); i++) v = base + "-" + i;
        return v;
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
