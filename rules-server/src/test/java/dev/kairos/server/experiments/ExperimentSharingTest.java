package dev.kairos.server.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two rules-server instances (each its own data dir) sharing one experiments topic on the real broker. */
class ExperimentSharingTest {
    static final String AB = """
            {"variants": [{"name": "control", "weight": 1}, {"name": "b", "weight": 1}], "holdout": 10}
            """;
    static String topic;
    static TestServer a;
    static TestServer b;

    @BeforeAll
    static void start() {
        topic = "shared-" + UUID.randomUUID() + ".experiments";
        a = TestServer.start(TestServer.newDataDir(), Map.of("kairos.topics.experiments", topic));
        b = TestServer.start(TestServer.newDataDir(), Map.of("kairos.topics.experiments", topic));
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
    }

    @Test
    void aWriteOnOneInstanceIsSeenByTheOtherAndAssignsAlike() {
        assertThat(a.http.putJson("/v1/experiments/shared_ab", ADMIN_KEY, AB).status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> b.http.get("/v1/experiments/shared_ab", ADMIN_KEY).status() == 200);
        assertThat(b.http.get("/v1/experiments/shared_ab", ADMIN_KEY).json().get("holdout").asInt()).isEqualTo(10);
        for (int u = 0; u < 20; u++) {
            assertThat(variants(b, "u" + u).get("shared_ab")).isNotNull().isEqualTo(variants(a, "u" + u).get("shared_ab"));
        }

        // A change on B (pause) reaches A; then a deletion on A reaches B.
        assertThat(b.http.putJson("/v1/experiments/shared_ab", ADMIN_KEY, AB.replace("\"holdout\": 10", "\"holdout\": 10, \"active\": false")).status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> !a.http.get("/v1/experiments/shared_ab", ADMIN_KEY).json().get("active").asBoolean());
        assertThat(variants(a, "u1").has("shared_ab")).isFalse();
        assertThat(a.http.delete("/v1/experiments/shared_ab", ADMIN_KEY).status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(30)).until(() -> b.http.get("/v1/experiments/shared_ab", ADMIN_KEY).status() == 404);
    }

    @Test
    void aNewInstanceStartsWithTheExperimentsAlreadyDefined() {
        assertThat(a.http.putJson("/v1/experiments/before_start", ADMIN_KEY, AB).status()).isEqualTo(201);
        try (TestServer c = TestServer.start(TestServer.newDataDir(), Map.of("kairos.topics.experiments", topic))) {
            // No waiting: the topic was read to its end before the server answered anything.
            assertThat(c.http.get("/v1/experiments/before_start", ADMIN_KEY).status()).isEqualTo(200);
            assertThat(variants(c, "new-user").get("before_start")).isNotNull().isEqualTo(variants(a, "new-user").get("before_start"));
        }
    }

    private static JsonNode variants(TestServer server, String user) {
        Http.Response r = server.http.postJson("/v1/decide", WRITE_KEY, "{\"userId\": \"" + user + "\", \"placements\": [\"home_banner\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("variants");
    }
}
