package dev.kairos.feedback.guardrail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.kairos.feedback.store.DecisionRow;
import dev.kairos.feedback.store.OutcomeRow;
import dev.kairos.feedback.support.RulesServerFake;
import dev.kairos.feedback.support.TestService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.kairos.feedback.support.TestService.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Canary guardrails on real stored outcomes: a canary that makes users dismiss more is rolled back
 * with its reason and the webhook is told (signed, retried after a failure); a harmless one is not.
 */
class GuardrailApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SECRET = "whsec-test";
    TestService service;
    RulesServerFake rulesServer;
    HttpServer receiver;
    final List<String[]> received = new CopyOnWriteArrayList<>(); // body, signature, idempotency key
    final AtomicInteger attempts = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", x -> {
            byte[] body = x.getRequestBody().readAllBytes();
            // the receiver is down for the first attempt
            int status = attempts.incrementAndGet() == 1 ? 503 : 200;
            if (status == 200) received.add(new String[] {new String(body, StandardCharsets.UTF_8),
                    x.getRequestHeaders().getFirst("X-Kairos-Signature"), x.getRequestHeaders().getFirst("Idempotency-Key")});
            x.sendResponseHeaders(status, -1);
            x.close();
        });
        receiver.start();
        rulesServer = new RulesServerFake().version("v1", "a.drl", "rule \"A\"", List.of("A")).version("v2", "a.drl", "rule \"B\"", List.of("B"))
                .routing("v1", null, 0).startCanary("v2", 20, Instant.now().minus(Duration.ofHours(2)).toString());
        service = TestService.start(Map.of("kairos.feedback.recalibration.enabled", false, "kairos.feedback.rules-server-url", rulesServer.url(),
                "kairos.feedback.guardrails.min-shown", 200, "kairos.feedback.guardrails.webhook-url",
                "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                "kairos.feedback.guardrails.webhook-secret", SECRET, "kairos.feedback.guardrails.webhook-backoff", "50ms"));
    }

    @AfterEach
    void stop() {
        service.close();
        rulesServer.close();
        receiver.stop(0);
    }

    /** {@code n} shown placements per arm; the control dismisses {@code controlDismiss} of them, the canary {@code canaryDismiss}. */
    void traffic(int n, double controlDismiss, double canaryDismiss) {
        traffic(n, controlDismiss, canaryDismiss, 0.002, 1.0);
    }

    /** The same, and the canary's decisions fail (deadline) with {@code canaryFail} and take {@code canarySlower} times as long. */
    void traffic(int n, double controlDismiss, double canaryDismiss, double canaryFail, double canarySlower) {
        java.util.Random r = new java.util.Random(5);
        long at = Instant.now().minus(Duration.ofMinutes(30)).toEpochMilli();
        List<DecisionRow> decisions = new ArrayList<>();
        List<OutcomeRow> outcomes = new ArrayList<>();
        for (int i = 0; i < 2 * n; i++) {
            boolean canary = i % 2 == 1;
            String id = "d" + i, user = "u" + i;
            long latency = (long) ((500 + r.nextInt(1000)) * (canary ? canarySlower : 1.0));
            String failed = r.nextDouble() < (canary ? canaryFail : 0.002) ? "deadline" : null;
            decisions.add(new DecisionRow(id, at, user, null, canary ? "v2" : "v1", "default", canary, null, 0.5, 0.5, 0.5, 0.5, null,
                    List.of("R"), List.of(new DecisionRow.PlacementRow("home_banner", "R", "c", false)), List.of(), Map.of(), null, failed, latency));
            outcomes.add(new OutcomeRow(id + "/i", id, "home_banner", "impression", user, "R", null, at, at));
            if (r.nextDouble() < 0.1) outcomes.add(new OutcomeRow(id + "/c", id, "home_banner", "click", user, "R", null, at, at));
            if (r.nextDouble() < (canary ? canaryDismiss : controlDismiss)) outcomes.add(new OutcomeRow(id + "/d", id, "home_banner", "dismiss", user, "R", null, at, at));
        }
        service.store().saveDecisions(decisions);
        service.store().saveOutcomes(outcomes);
    }

    @Test
    void aCanaryThatUsersDismissMoreIsRolledBackWithItsReasonAndTheWebhookIsTold() throws Exception {
        traffic(1500, 0.05, 0.12);
        JsonNode report = service.http.postJson("/v1/guardrails/check", ADMIN_KEY, "{}").json();
        assertThat(report.get("outcome").asText()).startsWith("rolled back: guardrail: dismiss rate +");
        assertThat(rulesServer.canary()).as("the canary ended").isNull();
        JsonNode last = rulesServer.changes().get(rulesServer.changes().size() - 1);
        assertThat(last.get("action").asText()).isEqualTo("auto-rollback");
        assertThat(last.get("by").asText()).isEqualTo("guardrail");
        assertThat(last.get("reason").asText()).matches("guardrail: dismiss rate \\+\\d+\\.\\d pp \\(95% CI \\[\\+\\d+\\.\\d, \\+\\d+\\.\\d\\]\\) on v2 against v1, 1500 vs 1500 shown");
        // the dashboard's routing history shows it as rules-server has it
        assertThat(service.http.get("/v1/rules-routing", ADMIN_KEY).body()).contains("\"by\":\"guardrail\"").contains("guardrail: dismiss rate");

        await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
        String[] hook = received.get(0);
        assertThat(attempts.get()).as("retried after the 503").isEqualTo(2);
        JsonNode event = JSON.readTree(hook[0]);
        assertThat(event.get("event").asText()).isEqualTo("canary_rolled_back");
        assertThat(event.get("version").asText()).isEqualTo("v2");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertThat(hook[1]).isEqualTo("sha256=" + HexFormat.of().formatHex(mac.doFinal(hook[0].getBytes(StandardCharsets.UTF_8))));
        assertThat(hook[2]).startsWith("v2@");
    }

    @Test
    void aHarmlessCanaryIsNotRolledBack() {
        traffic(1500, 0.05, 0.05);
        JsonNode report = service.http.postJson("/v1/guardrails/check", ADMIN_KEY, "{}").json();
        assertThat(report.get("outcome").asText()).isEqualTo("within guardrails");
        assertThat(report.get("checks")).hasSize(5).allSatisfy(c -> assertThat(c.get("breached").asBoolean()).isFalse());
        assertThat(report.get("settings").get("metrics")).hasSize(5);
        assertThat(rulesServer.canary()).isEqualTo("v2");
        assertThat(service.http.get("/v1/guardrails", ADMIN_KEY).json().get("outcome").asText()).isEqualTo("within guardrails");
        assertThat(received).isEmpty();
    }

    @Test
    void aCanaryWhoseDecisionsFailMoreIsRolledBackOnTheErrorRate() {
        traffic(1500, 0.05, 0.05, 0.06, 1.0);
        JsonNode report = service.http.postJson("/v1/guardrails/check", ADMIN_KEY, "{}").json();
        assertThat(report.get("outcome").asText()).startsWith("rolled back: guardrail: error rate +").endsWith("1500 vs 1500 decisions");
        assertThat(rulesServer.canary()).isNull();
    }

    @Test
    void aSlowerCanaryIsRolledBackOnLatencyP99() {
        traffic(1500, 0.05, 0.05, 0.002, 2.5);
        JsonNode report = service.http.postJson("/v1/guardrails/check", ADMIN_KEY, "{}").json();
        assertThat(report.get("outcome").asText()).matches("rolled back: guardrail: latency p99 \\d+\\.\\d ms against 1\\.\\d ms: "
                + "decisions slower than the control's p99 \\+\\d+\\.\\d pp .*");
        assertThat(rulesServer.canary()).isNull();
    }

    @Test
    void theGuardrailsAMarketerChoseForTheCanaryAreTheOnesChecked() {
        assertThat(service.http.postJson("/v1/rules-routing/canary", ADMIN_KEY,
                "{\"version\": \"v2\", \"percent\": 20, \"guardrails\": {\"metrics\": [\"latency\"]}}").status()).isEqualTo(400);
        assertThat(service.http.postJson("/v1/rules-routing/canary", ADMIN_KEY,
                "{\"version\": \"v2\", \"percent\": 20, \"guardrails\": {\"minShown\": 5}}").status()).isEqualTo(400);
        assertThat(service.http.postJson("/v1/rules-routing/canary", ADMIN_KEY,
                "{\"version\": \"v2\", \"percent\": 20, \"guardrails\": {\"metrics\": [\"CTR\", \"error rate\"], \"minShown\": 100}}").status())
                .isEqualTo(200);
        traffic(1500, 0.05, 0.12);
        JsonNode report = service.http.postJson("/v1/guardrails/check", ADMIN_KEY, "{}").json();
        assertThat(report.get("outcome").asText()).as("users dismiss it more, but the marketer watches CTR and errors only").isEqualTo("within guardrails");
        assertThat(report.get("checks")).extracting(c -> c.get("metric").asText()).containsExactly("CTR", "error rate");
        assertThat(report.get("settings").get("minShown").asLong()).isEqualTo(100);
        assertThat(rulesServer.canary()).isEqualTo("v2");
    }

    @Test
    void aFewImpressionsAreNotEnoughToJudge() {
        traffic(50, 0.0, 0.5);
        JsonNode report = service.http.postJson("/v1/guardrails/check", ADMIN_KEY, "{}").json();
        assertThat(report.get("outcome").asText()).startsWith("collecting: 50 of 200");
        assertThat(rulesServer.canary()).isEqualTo("v2");
    }
}
