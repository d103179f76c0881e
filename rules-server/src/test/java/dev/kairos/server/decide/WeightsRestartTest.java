package dev.kairos.server.decide;

import dev.kairos.server.support.SharedKafka;
import dev.kairos.server.support.TestServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/** A restarted rules server decides with the published weights from its first request on. */
class WeightsRestartTest {

    @Test
    void theFirstDecisionAfterARestartCarriesThePublishedWeightsVersion() {
        Path data = TestServer.newDataDir();
        String version = "w-" + UUID.randomUUID();
        try (TestServer first = TestServer.start(data, Map.of())) {
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
                p.send(new ProducerRecord<>(first.namespace + ".weights", "current",
                        "{\"version\":\"" + version + "\",\"recency\":0.5,\"depth\":0.2,\"conversion\":0.3}"));
                p.flush();
            }
        }

        try (TestServer again = TestServer.start(data, Map.of())) {
            assertThat(again.http.postJson("/v1/decide", WRITE_KEY, DecideApiTest.PINNED_REQUEST).json().get("weightsVersion").asText())
                    .isEqualTo(version);
        }
    }
}
