package dev.kairos.feedback.weights;

import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.Async;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start, sends the weights version the database says is in use to the weights topic again
 * ({@link Recalibrator#republishCurrent}), in the background so a Kafka outage does not hold up
 * the start. This closes the gap left by a crash between storing a publication and sending it.
 */
@Singleton
public class WeightsRepublisher {
    private static final Logger LOG = LoggerFactory.getLogger(WeightsRepublisher.class);

    private final Recalibrator recalibrator;

    public WeightsRepublisher(Recalibrator recalibrator) {
        this.recalibrator = recalibrator;
    }

    @EventListener
    @Async(TaskExecutors.BLOCKING)
    void onStartup(StartupEvent event) {
        try {
            recalibrator.republishCurrent().ifPresent(v -> LOG.info("weights version {} sent to rules-server again at start", v.version()));
        } catch (RuntimeException e) {
            LOG.warn("could not send the weights in use at start ({}); rules-server keeps what it has until the next publication", e.toString());
        }
    }
}
