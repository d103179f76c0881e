package dev.kairos.server.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/** The experiments admin API: validation, several active experiments, recovery from the topic after a restart, import of old files. */
class ExperimentsApiTest {
    static final String AB = """
            {"description": "high intent at 0.7 instead of 0.8",
             "variants": [{"name": "control", "weight": 50}, {"name": "threshold_0_7", "weight": 50}],
             "holdout": 10, "active": true, "params": {"threshold_0_7": {"threshold": "0.7"}}}
            """;

    /** One server for the tests that restart nothing; each test leaves it without experiments. */
    static TestServer shared;
    Http http;

    @BeforeAll
    static void startShared() {
        shared = TestServer.start();
    }

    @AfterAll
    static void stopShared() {
        if (shared != null) shared.close();
    }

    @BeforeEach
    void useShared() {
        http = shared.http;
    }

    @AfterEach
    void deleteEveryExperiment() {
        for (JsonNode e : shared.http.get("/v1/experiments", ADMIN_KEY).json().get("experiments")) {
            assertThat(shared.http.delete("/v1/experiments/" + e.get("name").asText(), ADMIN_KEY).status()).isEqualTo(204);
        }
    }

    @Test
    void createsReadsListsReplacesAndDeletes() {
        Http.Response created = http.putJson("/v1/experiments/high_intent_threshold", ADMIN_KEY, AB);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).contains("/v1/experiments/high_intent_threshold");
        JsonNode e = http.get("/v1/experiments/high_intent_threshold", ADMIN_KEY).json();
        assertThat(e.get("name").asText()).isEqualTo("high_intent_threshold");
        assertThat(e.get("holdout").asInt()).isEqualTo(10);
        assertThat(e.get("active").asBoolean()).isTrue();
        assertThat(e.get("variants").get(1).get("name").asText()).isEqualTo("threshold_0_7");
        assertThat(e.get("variants").get(1).get("weight").asInt()).isEqualTo(50);
        assertThat(e.get("params").get("threshold_0_7").get("threshold").asText()).isEqualTo("0.7");

        Http.Response replaced = http.putJson("/v1/experiments/high_intent_threshold", ADMIN_KEY, AB.replace("\"holdout\": 10", "\"holdout\": 0"));
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(http.get("/v1/experiments", ADMIN_KEY).json().get("experiments")).hasSize(1);
        assertThat(http.get("/v1/experiments", ADMIN_KEY).json().get("experiments").get(0).get("holdout").asInt()).isZero();

        assertThat(http.delete("/v1/experiments/high_intent_threshold", ADMIN_KEY).status()).isEqualTo(204);
        assertThat(http.get("/v1/experiments/high_intent_threshold", ADMIN_KEY).status()).isEqualTo(404);
        assertThat(http.delete("/v1/experiments/high_intent_threshold", ADMIN_KEY).status()).isEqualTo(404);
        assertThat(http.get("/v1/experiments", ADMIN_KEY).json().get("experiments")).isEmpty();
    }

    @Test
    void needsTheAdminKey() {
        assertThat(http.putJson("/v1/experiments/x", WRITE_KEY, AB).status()).isEqualTo(401);
        assertThat(http.get("/v1/experiments", WRITE_KEY).status()).isEqualTo(401);
        assertThat(http.delete("/v1/experiments/x", null).status()).isEqualTo(401);
    }

    @Test
    void rejectsMoreThanTenVariants() {
        StringBuilder vs = new StringBuilder();
        for (int i = 0; i < 11; i++) vs.append(i == 0 ? "" : ",").append("{\"name\": \"v").append(i).append("\", \"weight\": 1}");
        Http.Response r = http.putJson("/v1/experiments/many", ADMIN_KEY, "{\"variants\": [" + vs + "]}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("field").asText()).isEqualTo("variants");
    }

    @Test
    void severalExperimentsAreActiveAtOnceAndEachAssignsEveryUser() {
        assertThat(http.putJson("/v1/experiments/second", ADMIN_KEY, AB).status()).isEqualTo(201);
        assertThat(http.putJson("/v1/experiments/first", ADMIN_KEY, AB).status()).isEqualTo(201);
        assertThat(http.putJson("/v1/experiments/paused", ADMIN_KEY, AB.replace("\"active\": true", "\"active\": false")).status()).isEqualTo(201);
        Http.Response r = http.postJson("/v1/decide", WRITE_KEY, "{\"userId\": \"u-1\", \"placements\": [\"home_banner\"]}");
        JsonNode variants = r.json().get("variants");
        assertThat(variants.fieldNames()).toIterable().containsExactly("first", "second");
        // The single-experiment field names the first experiment by name.
        assertThat(r.json().get("variant").asText()).isEqualTo("first:" + variants.get("first").asText());
        assertThat(variants.get("second").asText()).isIn("control", "threshold_0_7", "holdout");
    }

    @Test
    void withoutAnActiveExperimentVariantIsNullAndVariantsEmpty() {
        Http.Response r = http.postJson("/v1/decide", WRITE_KEY, "{\"userId\": \"u-1\", \"placements\": [\"home_banner\"]}");
        assertThat(r.json().get("variant").isNull()).isTrue();
        assertThat(r.json().get("variants").isObject()).isTrue();
        assertThat(r.json().get("variants")).isEmpty();
    }

    @Test
    void importsTheExperimentFilesOfEarlierVersionsOnce() throws Exception {
        Path dataDir = TestServer.newDataDir();
        java.nio.file.Files.createDirectories(dataDir.resolve("experiments"));
        java.nio.file.Files.writeString(dataDir.resolve("experiments").resolve("legacy.json"), """
                {"name": "legacy", "variants": [{"name": "a", "weight": 1}, {"name": "b", "weight": 1}], "holdout": 0,
                 "active": true, "params": {}, "updatedAt": "2026-11-20T10:00:00Z"}
                """);
        try (TestServer server = TestServer.start(dataDir, Map.of())) {
            http = server.http;
            assertThat(http.get("/v1/experiments/legacy", ADMIN_KEY).json().get("variants")).hasSize(2);
            assertThat(dataDir.resolve("experiments").resolve("legacy.json")).doesNotExist();
            assertThat(dataDir.resolve("experiments").resolve("legacy.json.imported")).exists();

            // Deleted through the API, it stays deleted after a restart: the file is not imported again.
            assertThat(http.delete("/v1/experiments/legacy", ADMIN_KEY).status()).isEqualTo(204);
        }
        try (TestServer server = TestServer.start(dataDir, Map.of())) {
            assertThat(server.http.get("/v1/experiments/legacy", ADMIN_KEY).status()).isEqualTo(404);
        }
    }

    @Test
    void resultsArePointedToTheFeedbackService() {
        Http.Response r = http.get("/v1/experiments/results", ADMIN_KEY);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("error").get("message").asText()).contains("feedback-service");
    }

    @Test
    void experimentsAndAssignmentsSurviveARestart() {
        Path dataDir = TestServer.newDataDir();
        Map<String, String> before = new java.util.HashMap<>();
        try (TestServer server = TestServer.start(dataDir, Map.of())) {
            http = server.http;
            assertThat(http.putJson("/v1/experiments/high_intent_threshold", ADMIN_KEY, AB).status()).isEqualTo(201);
            assertThat(http.putJson("/v1/experiments/old_test", ADMIN_KEY, AB.replace("\"active\": true", "\"active\": false")).status()).isEqualTo(201);
            assertThat(http.delete("/v1/experiments/old_test", ADMIN_KEY).status()).isEqualTo(204);
            for (int u = 0; u < 30; u++) before.put("u-" + u, variantOf("u-" + u));
            assertThat(before.values()).allSatisfy(v -> assertThat(v).startsWith("high_intent_threshold:"));
        }

        try (TestServer server = TestServer.start(dataDir, Map.of())) {
            http = server.http;
            JsonNode list = http.get("/v1/experiments", ADMIN_KEY).json().get("experiments");
            assertThat(list).hasSize(1);
            assertThat(list.get(0).get("name").asText()).isEqualTo("high_intent_threshold");
            assertThat(list.get(0).get("params").get("threshold_0_7").get("threshold").asText()).isEqualTo("0.7");
            for (Map.Entry<String, String> e : before.entrySet()) assertThat(variantOf(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
            // They came back from the experiments topic: nothing is kept on this instance's disk.
            assertThat(dataDir.resolve("experiments")).doesNotExist();
        }
    }

    private String variantOf(String user) {
        Http.Response r = http.postJson("/v1/decide", WRITE_KEY, "{\"userId\": \"" + user + "\", \"placements\": [\"home_banner\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("variant").asText();
    }
}
