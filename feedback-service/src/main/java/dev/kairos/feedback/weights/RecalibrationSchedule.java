package dev.kairos.feedback.weights;

import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link Recalibrator} on {@code kairos.feedback.recalibration.cron} (default Mondays 03:00,
 * {@code 0 0 3 ? * MON}); off with {@code kairos.feedback.recalibration.enabled=false}. A failed run
 * is logged and retried at the next scheduled time.
 */
@Singleton
@Requires(property = "kairos.feedback.recalibration.enabled", notEquals = "false")
public class RecalibrationSchedule {
    private static final Logger LOG = LoggerFactory.getLogger(RecalibrationSchedule.class);

    private final Recalibrator recalibrator;

    public RecalibrationSchedule(Recalibrator recalibrator) {
        this.recalibrator = recalibrator;
    }

    @Scheduled(cron = "${kairos.feedback.recalibration.cron:0 0 3 ? * MON}")
    void run() {
        try {
            RecalibrationResult r = recalibrator.run(null);
            LOG.info("scheduled recalibration: {} ({})", r.status(), r.reason());
        } catch (RuntimeException e) {
            LOG.warn("scheduled recalibration failed: {}", e.toString());
        }
    }
}
