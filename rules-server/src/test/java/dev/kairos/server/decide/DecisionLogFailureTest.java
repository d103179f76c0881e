package dev.kairos.server.decide;

import dev.kairos.server.support.TestServer;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A decision Kafka refuses is counted as failed; the decide answer does not notice. */
class DecisionLogFailureTest {
    @Test
    void countsDecisionsKafkaRefusesAndStillAnswersDecide() {
        // Every decision record is larger than the producer may send: Kafka's client refuses each one.
        try (TestServer server = TestServer.start(TestServer.newDataDir(), Map.of("kafka.producers.kairos-decisions.max.request.size", 100))) {
            MeterRegistry meters = server.server.getApplicationContext().getBean(MeterRegistry.class);
            for (int i = 0; i < 3; i++) {
                assertThat(server.http.postJson("/v1/decide", WRITE_KEY, DecideApiTest.PINNED_REQUEST).status()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(meters.counter("kairos.decisions.failed").count()).isEqualTo(3.0));
            assertThat(meters.counter("kairos.decisions.logged").count()).isZero();
        }
    }
}
