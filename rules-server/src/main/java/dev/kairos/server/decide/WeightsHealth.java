package dev.kairos.server.decide;

import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code weights} health indicator: {@code UP} once the weights topic was read to the end it had
 * at start (decisions use the last published weights), {@code DOWN} while it could not be, when
 * decisions use the weights read so far (at worst the built-in defaults). Details: the version in
 * use, whether the topic was read, and the last problem reading it.
 */
@Singleton
public class WeightsHealth implements HealthIndicator {
    private final WeightsFeed feed;
    private final CurrentWeights current;

    public WeightsHealth(WeightsFeed feed, CurrentWeights current) {
        this.feed = feed;
        this.current = current;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        return Publishers.just(result());
    }

    HealthResult result() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("weightsVersion", current.get().getVersion());
        details.put("caughtUp", feed.caughtUp());
        String problem = feed.lastProblem();
        if (problem != null) details.put("problem", problem);
        return HealthResult.builder("weights", feed.caughtUp() ? HealthStatus.UP : HealthStatus.DOWN).details(details).build();
    }
}
