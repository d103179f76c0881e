package dev.kairos.server.decide;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.SharedKafka;
import dev.kairos.server.support.TestServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The decision log and the weights feed, on the real broker. */
class DecisionLogTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void logsEveryDecisionWithItsRulesWeightsAndSignals() throws IOException {
        Http.Response r = http.postJson("/v1/decide", WRITE_KEY, DecideApiTest.PINNED_REQUEST);
        assertThat(r.status()).isEqualTo(200);
        String decisionId = r.json().get("decisionId").asText();
        String weightsVersion = r.json().get("weightsVersion").asText();

        JsonNode logged = awaitDecision(decisionId);
        assertThat(logged.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(logged.get("userId").asText()).isEqualTo("u-42");
        assertThat(logged.get("anonymousId").asText()).isEqualTo("a-1");
        assertThat(logged.get("sessionId").asText()).isEqualTo("s-1");
        assertThat(logged.get("rulesVersion").asText()).isEqualTo("v1");
        assertThat(logged.get("weightsVersion").asText()).isEqualTo(weightsVersion);
        assertThat(logged.get("variant").isNull()).isTrue();
        assertThat(logged.get("variants").isObject()).isTrue();
        assertThat(logged.get("variants")).isEmpty();
        assertThat(logged.get("placements").get(0).asText()).isEqualTo("home_banner");
        JsonNode a = logged.get("adaptations").get(0);
        assertThat(a.get("placement").asText()).isEqualTo("home_banner");
        assertThat(a.get("rule").asText()).isEqualTo("Evening restaurant offer");
        assertThat(a.get("contentId").asText()).isEqualTo("restaurant-deals");
        assertThat(JSON.convertValue(logged.get("matchedRules"), List.class)).contains("Evening restaurant offer");
        assertThat(logged.get("signals").get("intentScore").asDouble()).isEqualTo(0.9);
        assertThat(logged.get("weights").get("recency").isNumber()).isTrue();
    }

    @Test
    void decisionsUseTheWeightsVersionPublishedOnTheWeightsTopic() {
        String version = "w-" + UUID.randomUUID();
        publishWeights("{\"version\":\"" + version + "\",\"recency\":0.5,\"depth\":0.2,\"conversion\":0.3,\"named\":{\"highIntentThreshold\":0.7}}");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Http.Response r = http.postJson("/v1/decide", WRITE_KEY, DecideApiTest.PINNED_REQUEST);
            assertThat(r.json().get("weightsVersion").asText()).isEqualTo(version);
        });
        // An invalid record is skipped: the version in use stays.
        publishWeights("{\"version\":\"broken\",\"recency\":-1,\"depth\":0.2,\"conversion\":0.3}");
        String marker = "w-" + UUID.randomUUID();
        publishWeights("{\"version\":\"" + marker + "\",\"recency\":0.4,\"depth\":0.3,\"conversion\":0.3}");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(http.postJson("/v1/decide", WRITE_KEY, DecideApiTest.PINNED_REQUEST).json().get("weightsVersion").asText())
                        .isEqualTo(marker));
    }

    private static void publishWeights(String json) {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(server.namespace + ".weights", "current", json));
            p.flush();
        }
    }

    private static JsonNode awaitDecision(String decisionId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(server.namespace + ".decisions"));
            JsonNode[] found = new JsonNode[1];
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> rec : c.poll(Duration.ofMillis(500))) {
                    JsonNode n = JSON.readTree(new String(rec.value(), StandardCharsets.UTF_8));
                    if (decisionId.equals(n.get("decisionId").asText())) {
                        assertThat(rec.key()).isEqualTo("u-42");
                        found[0] = n;
                    }
                }
                return found[0] != null;
            });
            return found[0];
        }
    }
}
