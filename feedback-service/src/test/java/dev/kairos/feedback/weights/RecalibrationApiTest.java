package dev.kairos.feedback.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.feedback.store.DecisionRow;
import dev.kairos.feedback.store.OutcomeRow;
import dev.kairos.feedback.support.Http;
import dev.kairos.feedback.support.TestService;
import dev.kairos.kafka.SharedBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static dev.kairos.feedback.support.TestService.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Recalibration, weights versions, diff and rollback over HTTP, publishing to the real broker. */
class RecalibrationApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestService service;

    @BeforeAll
    static void start() {
        service = TestService.start(Map.of("kairos.feedback.recalibration.enabled", false));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    /** Users whose clicks depend on scroll depth only (hidden truth): the default 0.4/0.3/0.3 weighs it too little. */
    static void logDepthDrivenOutcomes(int n, long seed) {
        Random random = new Random(seed);
        Instant at = Instant.now().minus(Duration.ofHours(1));
        List<DecisionRow> decisions = new ArrayList<>();
        List<OutcomeRow> outcomes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = UUID.randomUUID().toString();
            double r = random.nextDouble(), d = random.nextDouble(), c = random.nextDouble();
            decisions.add(new DecisionRow(id, at.toEpochMilli(), "u" + i, null, "v1", "default", false, null, 0.4 * r + 0.3 * d + 0.3 * c,
                    r, d, c, null, List.of("R"), List.of(new DecisionRow.PlacementRow("home_banner", "R", "c", false)), List.of()));
            outcomes.add(new OutcomeRow(id + "/i", id, "home_banner", "impression", "u" + i, "R", null, at.toEpochMilli(), at.toEpochMilli()));
            if (random.nextDouble() < 1 / (1 + Math.exp(-(-3 + 6 * d)))) {
                outcomes.add(new OutcomeRow(id + "/c", id, "home_banner", "click", "u" + i, "R", null, at.toEpochMilli(), at.toEpochMilli()));
            }
        }
        service.store().saveDecisions(decisions);
        service.store().saveOutcomes(outcomes);
    }

    @Test
    void fitsPublishesListsDiffsAndRollsBackWeightsVersions() {
        Http.Response skipped = service.http.post("/v1/recalibrate", ADMIN_KEY, null, "");
        assertThat(skipped.status()).isEqualTo(200);
        assertThat(skipped.json().get("status").asText()).isEqualTo("skipped");
        assertThat(skipped.json().get("current").get("version").asText()).isEqualTo("default");

        logDepthDrivenOutcomes(3000, 11);
        Http.Response r = service.http.post("/v1/recalibrate?days=7", ADMIN_KEY, null, "");
        assertThat(r.status()).isEqualTo(200);
        JsonNode result = r.json();
        assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("published");
        JsonNode candidate = result.get("candidate");
        String version = candidate.get("version").asText();
        assertThat(version).startsWith("w");
        assertThat(candidate.get("depth").asDouble()).isGreaterThan(0.8);
        assertThat(candidate.get("recency").asDouble() + candidate.get("depth").asDouble() + candidate.get("conversion").asDouble())
                .isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(candidate.get("holdoutAuc").asDouble()).isGreaterThan(candidate.get("baselineAuc").asDouble());
        assertThat(candidate.get("named").get("highIntentThreshold").asDouble()).isEqualTo(0.8);

        // What rules-server reads: the latest record under "current" on the compacted weights topic.
        JsonNode published = lastWeightsRecord(version);
        assertThat(published.get("depth").asDouble()).isEqualTo(candidate.get("depth").asDouble());
        assertThat(published.get("named").get("highIntentThreshold").asDouble()).isEqualTo(0.8);

        JsonNode weights = service.http.get("/v1/weights", ADMIN_KEY).json();
        assertThat(weights.get("current").asText()).isEqualTo(version);
        assertThat(weights.get("versions")).extracting(v -> v.get("version").asText()).containsExactly(version, "default");
        assertThat(service.http.get("/v1/weights/" + version, ADMIN_KEY).json().get("status").asText()).isEqualTo("published");
        assertThat(service.http.get("/v1/weights/nope", ADMIN_KEY).status()).isEqualTo(404);

        JsonNode diff = service.http.get("/v1/weights/diff?from=default&to=" + version, ADMIN_KEY).json();
        assertThat(diff.get("changes").get("depth").get("from").asDouble()).isEqualTo(0.3);
        assertThat(diff.get("changes").get("depth").get("delta").asDouble()).isGreaterThan(0.5);
        assertThat(service.http.get("/v1/weights/diff?from=default&to=nope", ADMIN_KEY).json().get("error").get("field").asText()).isEqualTo("to");

        Http.Response back = service.http.postJson("/v1/weights/rollback", ADMIN_KEY, "{\"version\":\"default\"}");
        assertThat(back.status()).isEqualTo(200);
        assertThat(back.json().get("current").asText()).isEqualTo("default");
        assertThat(service.http.get("/v1/weights", ADMIN_KEY).json().get("current").asText()).isEqualTo("default");
        assertThat(lastWeightsRecord("default").get("recency").asDouble()).isEqualTo(0.4);
        assertThat(service.http.get("/v1/weights", ADMIN_KEY).json().get("publications")).extracting(p -> p.get("action").asText())
                .containsExactly("rollback", "recalibrate");
    }

    @Test
    void rejectsInvalidRequests() {
        assertThat(service.http.post("/v1/recalibrate?days=0", ADMIN_KEY, null, "").json().get("error").get("field").asText()).isEqualTo("days");
        assertThat(service.http.post("/v1/recalibrate?days=x", ADMIN_KEY, null, "").status()).isEqualTo(400);
        assertThat(service.http.postJson("/v1/weights/rollback", ADMIN_KEY, "{}").json().get("error").get("code").asText()).isEqualTo("missing_field");
        assertThat(service.http.postJson("/v1/weights/rollback", ADMIN_KEY, "{\"version\":\"nope\"}").status()).isEqualTo(404);
        assertThat(service.http.post("/v1/recalibrate", null, null, "").status()).isEqualTo(401);
    }

    private static JsonNode lastWeightsRecord(String expectedVersion) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "t-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(service.namespace + ".weights"));
            JsonNode[] last = new JsonNode[1];
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> rec : c.poll(Duration.ofMillis(300))) {
                    assertThat(rec.key()).isEqualTo("current");
                    last[0] = JSON.readTree(rec.value());
                }
                return last[0] != null && last[0].get("version").asText().equals(expectedVersion);
            });
            return last[0];
        }
    }
}
