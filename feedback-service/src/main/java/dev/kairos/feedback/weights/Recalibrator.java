package dev.kairos.feedback.weights;

import dev.kairos.feedback.api.ApiException;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;

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
 * </ol>
 * One run at a time: a second concurrent run is refused. Thread-safe.
 */
@Singleton
public class Recalibrator {
    private static final Logger LOG = LoggerFactory.getLogger(Recalibrator.class);
    private static final DateTimeFormatter VERSION = DateTimeFormatter.ofPattern("'w'yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final WeightsStore store;
    private final WeightsPublisher publisher;
    private final RecalibrationConfig config;
    private final Clock clock;
    private final ReentrantLock running = new ReentrantLock();

    public Recalibrator(WeightsStore store, WeightsPublisher publisher, RecalibrationConfig config) {
        this(store, publisher, config, Clock.systemUTC());
    }

    Recalibrator(WeightsStore store, WeightsPublisher publisher, RecalibrationConfig config, Clock clock) {
        this.store = store;
        this.publisher = publisher;
        this.config = config;
        this.clock = clock;
    }

    /** Runs one recalibration over the last {@code days} days (the configured number when {@code null}). */
    public RecalibrationResult run(Integer days) {
        if (!running.tryLock()) throw ApiException.conflict("recalibration_running", "a recalibration is already running; try again when it has finished");
        try {
            return recalibrate(days == null ? config.days() : days);
        } finally {
            running.unlock();
        }
    }

    private RecalibrationResult recalibrate(int days) {
        long started = System.nanoTime();
        Instant now = clock.instant();
        WeightsVersion current = store.current();
        List<WeightsStore.Sample> samples = store.samples(now.minus(Duration.ofDays(days)).toEpochMilli(), now.toEpochMilli() + 1,
                config.maxSamples());
        List<WeightsStore.Sample> fit = new ArrayList<>();
        List<WeightsStore.Sample> holdout = new ArrayList<>();
        for (WeightsStore.Sample s : samples) (inHoldout(s.decisionId()) ? holdout : fit).add(s);
        long holdoutPositives = holdout.stream().filter(WeightsStore.Sample::engaged).count();
        long holdoutNegatives = holdout.size() - holdoutPositives;
        if (fit.size() < config.minSamples() || holdoutPositives < config.minPositives() || holdoutNegatives < config.minPositives()) {
            String reason = "too little data: " + fit.size() + " shown placements to fit (need " + config.minSamples() + "), "
                    + holdoutPositives + " engaged and " + holdoutNegatives + " not engaged held out (need " + config.minPositives() + " of each)";
            return new RecalibrationResult("skipped", reason, null, current, samples.size(), millisSince(started));
        }
        double[][] x = new double[fit.size()][];
        boolean[] y = new boolean[fit.size()];
        for (int i = 0; i < fit.size(); i++) {
            WeightsStore.Sample s = fit.get(i);
            x[i] = new double[] {s.recency(), s.depth(), s.conversion()};
            y[i] = s.engaged();
        }
        double[] beta = LogisticRegression.fit(x, y, config.lambda());
        double r = Math.max(0, beta[1]), d = Math.max(0, beta[2]), c = Math.max(0, beta[3]);
        double sum = r + d + c;
        String version = newVersion(now);
        if (!(sum > 0) || !Double.isFinite(sum)) {
            WeightsVersion rejected = new WeightsVersion(version, now, 0, 0, 0, current.named(), (long) fit.size(), (long) holdout.size(),
                    null, null, current.version(), WeightsVersion.REJECTED, "no signal component predicts engagement");
            store.save(rejected);
            return new RecalibrationResult(WeightsVersion.REJECTED, rejected.reason(), rejected, current, samples.size(), millisSince(started));
        }
        double[] candidateScores = new double[holdout.size()];
        double[] currentScores = new double[holdout.size()];
        boolean[] labels = new boolean[holdout.size()];
        for (int i = 0; i < holdout.size(); i++) {
            WeightsStore.Sample s = holdout.get(i);
            candidateScores[i] = (r * s.recency() + d * s.depth() + c * s.conversion()) / sum;
            currentScores[i] = current.score(s.recency(), s.depth(), s.conversion());
            labels[i] = s.engaged();
        }
        double candidateAuc = LogisticRegression.auc(candidateScores, labels);
        double currentAuc = LogisticRegression.auc(currentScores, labels);
        boolean notWorse = candidateAuc >= currentAuc - 1e-12;
        String reason = String.format(Locale.ROOT, "held-out AUC %.4f vs %.4f for %s on %d placements", candidateAuc, currentAuc,
                current.version(), holdout.size());
        WeightsVersion candidate = new WeightsVersion(version, now, r / sum, d / sum, c / sum, current.named(), (long) fit.size(),
                (long) holdout.size(), candidateAuc, currentAuc, current.version(),
                notWorse ? WeightsVersion.PUBLISHED : WeightsVersion.REJECTED, (notWorse ? "not worse: " : "worse: ") + reason);
        if (!notWorse) {
            store.save(candidate);
            LOG.info("recalibration: kept {} ({})", current.version(), reason);
            return new RecalibrationResult(WeightsVersion.REJECTED, candidate.reason(), candidate, current, samples.size(), millisSince(started));
        }
        // Publish first: a version is stored as published only once rules-server can read it.
        publisher.publish(candidate);
        store.save(candidate);
        store.published(candidate.version(), clock.instant(), "recalibrate");
        LOG.info("recalibration: published {} ({})", candidate.version(), reason);
        return new RecalibrationResult(WeightsVersion.PUBLISHED, candidate.reason(), candidate, candidate, samples.size(), millisSince(started));
    }

    /** Publishes an earlier published version again, making it the one in use. */
    public WeightsVersion rollback(String version) {
        // Never while a recalibration runs: it validated against the version in use when it began
        // and would silently undo the rollback when it publishes.
        if (!running.tryLock()) throw ApiException.conflict("recalibration_running", "a recalibration is running; roll back when it has finished");
        try {
            WeightsVersion v = store.version(version).orElseThrow(() -> ApiException.notFound("no weights version " + version));
            if (!WeightsVersion.PUBLISHED.equals(v.status()) && !WeightsVersion.DEFAULT.equals(v.status())) {
                throw ApiException.conflict("not_publishable", "version " + version + " was rejected by validation and cannot be published");
            }
            publisher.publish(v);
            store.published(v.version(), clock.instant(), "rollback");
            return v;
        } finally {
            running.unlock();
        }
    }

    private boolean inHoldout(String decisionId) {
        CRC32 crc = new CRC32();
        crc.update(decisionId.getBytes(StandardCharsets.UTF_8));
        return crc.getValue() % 100 < config.holdoutPercent();
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
