package dev.kairos.feedback.weights;

import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link Recalibrator} on {@code kairos.feedback.recalibration.cron} (default Mondays 03:00,
 * {@code 0 0 3 ? * MON}); off with {@code kairos.feedback.recalibration.enabled=false}. A failed run
 * is logged and retried at the next scheduled time. With several instances on one database, each
 * one's schedule fires and the first to take the lease does the work; the others skip.
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
            recalibrator.runScheduled().ifPresentOrElse(
                    r -> LOG.info("scheduled recalibration: {} ({})", r.status(), r.reason()),
                    () -> LOG.info("scheduled recalibration: skipped, another instance is running it or ran it in the last hour"));
        } catch (RuntimeException e) {
            LOG.warn("scheduled recalibration failed: {}", e.toString());
        }
    }
}
