package dev.kairos.server.decide;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.SharedKafka;
import dev.kairos.server.support.TestServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * choose(...) in a running server: the first value until a model is published on the bandit
 * topic, then the model's pick, with the choice, its propensity and the model version in the answer;
 * a placement whose exploration bound is 1 always explores.
 */
class BanditDecideTest {
    @Test
    void decisionsFollowThePublishedModelAndCarryTheirChoices() {
        try (TestServer server = TestServer.start(TestServer.newDataDir(), Map.of("kairos.exploration.epsilon", 0,
                "kairos.exploration.placements", "explore_everything=1"))) {
            Http http = server.http;
            Http.Response uploaded = http.post("/v1/rules/versions?name=offer.drl", ADMIN_KEY, "text/plain", """
                    package acme.offer;
                    rule "Offer"
                    when $p : Placement()
                    then adapt($p).content("deals").cta(choose("ctaA", "ctaB", "ctaC"));
                    end
                    """);
            assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(201);
            assertThat(http.postJson("/v1/rules/versions/" + uploaded.json().get("id").asText() + "/activate", ADMIN_KEY, "{}").status()).isEqualTo(200);
            String request = "{\"userId\": \"b1\", \"placements\": [\"home_banner\"]}";
            JsonNode first = http.postJson("/v1/decide", WRITE_KEY, request).json().get("adaptations").get(0);
            assertThat(first.get("cta").asText()).isEqualTo("ctaA");
            assertThat(first.at("/choices/0/model").asText()).isEqualTo("none");
            assertThat(first.get("propensity").asDouble()).isEqualTo(1.0);

            try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                p.send(new ProducerRecord<>(server.namespace + ".bandit", "Offer#1", """
                        {"point": "Offer#1", "version": "b42", "arms": ["ctaA", "ctaB", "ctaC"],
                         "coefficients": [[0.05], [0.10], [0.30]], "samples": [100, 100, 100]}""")).get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> "ctaC".equals(http.postJson("/v1/decide", WRITE_KEY, request).json().at("/adaptations/0/cta").asText()));
            JsonNode learned = http.postJson("/v1/decide", WRITE_KEY, request).json().get("adaptations").get(0);
            assertThat(learned.at("/choices/0/point").asText()).isEqualTo("Offer#1");
            assertThat(learned.at("/choices/0/model").asText()).isEqualTo("b42");
            assertThat(learned.at("/choices/0/explored").asBoolean()).isFalse();
            assertThat(learned.get("propensity").asDouble()).isEqualTo(1.0);

            JsonNode explored = http.postJson("/v1/decide", WRITE_KEY, "{\"userId\": \"b2\", \"placements\": [\"explore_everything\"]}").json()
                    .get("adaptations").get(0);
            assertThat(explored.at("/choices/0/explored").asBoolean()).isTrue();
            assertThat(explored.get("propensity").asDouble()).isCloseTo(1 / 3.0, org.assertj.core.api.Assertions.within(1e-9));
        }
    }
}
