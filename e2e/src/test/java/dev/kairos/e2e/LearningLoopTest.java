package dev.kairos.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The feedback loop across the real, packaged platform ({@code ./kairos start} on free ports):
 * decisions on rules-server are logged to Kafka and stored by the feedback service with their
 * outcomes, show up in the KPIs, a recalibration fits new weights from them, estimates them off-policy
 * by having rules-server replay its pack on the logged decisions with them, and publishes them,
 * and rules-server's next decisions carry the new {@code weightsVersion}.
 */
class LearningLoopTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();
    static final int USERS = 1200;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void outcomesOfLoggedDecisionsRecalibrateTheWeightsThatTheNextDecisionsUse(@TempDir Path data) throws Exception {
        int rulesPort = freePort(), feedbackPort = freePort(), kafkaPort = freePort(), controllerPort = freePort();
        Path log = data.resolve("start.log");
        ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("kairos").toString(), "start")
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("KAIROS_WRITE_KEYS");
        pb.environment().remove("KAIROS_ADMIN_KEY");
        pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
        pb.environment().put("KAIROS_DATA_DIR", data.toString());
        pb.environment().put("KAIROS_RULES_PORT", String.valueOf(rulesPort));
        pb.environment().put("KAIROS_FEEDBACK_PORT", String.valueOf(feedbackPort));
        pb.environment().put("KAIROS_KAFKA_PORT", String.valueOf(kafkaPort));
        pb.environment().put("KAIROS_KAFKA_CONTROLLER_PORT", String.valueOf(controllerPort));
        pb.environment().put("KAIROS_SKIP_BUILD", "1");
        Process kairos = pb.start();
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(
                    () -> !kairos.isAlive() || Files.readString(log).contains("Kairos is running"));
            assertThat(kairos.isAlive()).as(Files.readString(log)).isTrue();
            Properties keys = new Properties();
            keys.load(Files.newBufferedReader(data.resolve("keys.env"), StandardCharsets.UTF_8));
            String writeKey = keys.getProperty("KAIROS_WRITE_KEYS");
            String adminKey = keys.getProperty("KAIROS_ADMIN_KEY");
            String rules = "http://127.0.0.1:" + rulesPort;
            String feedback = "http://127.0.0.1:" + feedbackPort;

            // Users click when they scrolled deep (the hidden truth), whatever their recency.
            Random random = new Random(3);
            List<String> outcomes = new ArrayList<>();
            for (int i = 0; i < USERS; i++) {
                double r = random.nextDouble(), d = random.nextDouble(), c = random.nextDouble();
                JsonNode decision = post(rules + "/v1/decide", writeKey, """
                        {"userId": "u%d", "placements": ["home_banner"], "context": {"timezone": "Europe/Berlin"},
                         "signals": {"recency": %s, "depth": %s, "conversionProbability": %s}}""".formatted(i, r, d, c));
                assertThat(decision.get("weightsVersion").asText()).isEqualTo("default");
                String id = decision.get("decisionId").asText();
                outcomes.add(outcome(i, id, "impression"));
                if (random.nextDouble() < 1 / (1 + Math.exp(-(-3 + 6 * d)))) outcomes.add(outcome(i, id, "click"));
            }
            for (int from = 0; from < outcomes.size(); from += 500) {
                JsonNode accepted = post(rules + "/v1/outcomes", writeKey,
                        "{\"batch\": [" + String.join(",", outcomes.subList(from, Math.min(outcomes.size(), from + 500))) + "]}");
                assertThat(accepted.get("rejected")).isEmpty();
            }

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                JsonNode kpis = get(feedback + "/v1/kpis?groupBy=placement", adminKey);
                assertThat(kpis.get("total").get("impressions").asLong()).isEqualTo(USERS);
                assertThat(kpis.get("total").get("intentAccuracy").get("positives").asLong() + kpis.get("total").get("intentAccuracy").get("negatives").asLong())
                        .as("every shown placement joined to its logged decision").isEqualTo(USERS);
            });

            JsonNode result = post(feedback + "/v1/recalibrate", adminKey, "");
            assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("published");
            String version = result.get("candidate").get("version").asText();
            assertThat(result.get("candidate").get("depth").asDouble()).isGreaterThan(result.get("candidate").get("recency").asDouble());
            // before publishing, rules-server replayed the active pack on the logged decisions with the candidate weights
            JsonNode offPolicy = result.get("candidate").get("offPolicy");
            assertThat(offPolicy.get("available").asBoolean()).as(offPolicy.toString()).isTrue();
            assertThat(offPolicy.get("replayed").asLong()).isEqualTo(USERS);
            assertThat(offPolicy.get("ciLow").asDouble()).isLessThanOrEqualTo(offPolicy.get("ctrDelta").asDouble());

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(post(rules + "/v1/decide", writeKey, """
                            {"userId": "u-next", "placements": ["home_banner"], "context": {"timezone": "Europe/Berlin"}}""")
                            .get("weightsVersion").asText()).isEqualTo(version));
        } finally {
            kairos.destroy(); // SIGTERM: the launcher stops what it started
            assertThat(kairos.waitFor(60, TimeUnit.SECONDS)).as("kairos exits on SIGTERM").isTrue();
        }
    }

    static String outcome(int user, String decisionId, String type) {
        return "{\"decisionId\": \"%s\", \"placement\": \"home_banner\", \"type\": \"%s\", \"userId\": \"u%d\"}".formatted(decisionId, type, user);
    }

    JsonNode post(String url, String key, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    JsonNode get(String url, String key) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
