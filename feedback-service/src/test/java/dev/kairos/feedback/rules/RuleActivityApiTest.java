package dev.kairos.feedback.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.feedback.store.DecisionRow;
import dev.kairos.feedback.support.RulesServerStub;
import dev.kairos.feedback.support.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.kairos.feedback.support.TestService.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /v1/rule-activity}: the known rules come from rules-server's {@code GET /v1/rules/versions}.
 * A real rules-server would be heavy here, so {@link RulesServerStub} stands in for it at the
 * HTTP boundary. Also: rules-server down, and no URL configured, both fail soft.
 */
class RuleActivityApiTest {
    static final Instant T = Instant.parse("2026-11-02T12:00:00Z");
    static final String WINDOW = "from=2026-11-01T00:00:00Z&to=2026-11-08T00:00:00Z";
    static final String VERSIONS = """
            {"versions": [
              {"id": "v1", "status": "previous", "rules": ["Old rule"]},
              {"id": "v2", "status": "active", "rules": ["Cart reminder", "Evening offer", "Never fires", "Only matches"]},
              {"id": "v3", "status": "canary", "rules": ["Canary only", "Evening offer"]},
              {"id": "v4", "status": "inactive", "rules": ["Draft rule"]}],
             "state": {"active": "v2", "canary": "v3", "canaryPercent": 10.0, "history": ["v1"]}}
            """;
    static RulesServerStub stub;
    static TestService service;

    @BeforeAll
    static void start() throws IOException {
        stub = new RulesServerStub(VERSIONS);
        service = TestService.start(Map.of("kairos.feedback.recalibration.enabled", false,
                "kairos.feedback.rules-server-url", stub.url() + "/"));
        List<DecisionRow> d = new ArrayList<>();
        for (int i = 0; i < 5; i++) d.add(decision("e" + i, List.of("Evening offer", "Only matches"), "Evening offer"));
        for (int i = 0; i < 2; i++) d.add(decision("c" + i, List.of("Cart reminder"), "Cart reminder"));
        service.store().saveDecisions(d);
    }

    static DecisionRow decision(String id, List<String> matched, String winner) {
        return new DecisionRow(id, T.toEpochMilli(), "u" + id, null, "v2", "default", false, null, 0.5, 0.5, 0.5, 0.5, null,
                matched, List.of(new DecisionRow.PlacementRow("home_banner", winner, "c", false)), List.of());
    }

    @AfterAll
    static void stop() {
        if (service != null) service.close();
        if (stub != null) stub.close();
    }

    @Test
    void listsTheServingVersionsRulesWithMatchesAndWinsSilentOnesFirst() {
        JsonNode r = service.http.get("/v1/rule-activity?" + WINDOW, ADMIN_KEY).json();
        assertThat(stub.authorization.get()).isEqualTo("Bearer " + ADMIN_KEY);
        assertThat(r.get("available").asBoolean()).isTrue();
        assertThat(r.get("versions").get("active").asText()).isEqualTo("v2");
        assertThat(r.get("versions").get("canary").asText()).isEqualTo("v3");
        List<String> rules = new ArrayList<>();
        r.get("rules").forEach(x -> rules.add(x.get("rule").asText() + " " + x.get("versions") + " matched " + x.get("matched").asLong()
                + " won " + x.get("won").asLong() + (x.get("silent").asBoolean() ? " silent" : "")));
        assertThat(rules).containsExactly(
                "Canary only [\"v3\"] matched 0 won 0 silent",
                "Never fires [\"v2\"] matched 0 won 0 silent",
                "Only matches [\"v2\"] matched 5 won 0",
                "Cart reminder [\"v2\"] matched 2 won 2",
                "Evening offer [\"v2\",\"v3\"] matched 5 won 5");
    }

    @Test
    void failsSoftWhenRulesServerIsDownOrNotConfigured() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (TestService down = TestService.start(Map.of("kairos.feedback.recalibration.enabled", false,
                "kairos.feedback.rules-server-url", "http://127.0.0.1:" + closedPort))) {
            var response = down.http.get("/v1/rule-activity?" + WINDOW, ADMIN_KEY);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.json().get("available").asBoolean()).isFalse();
            assertThat(response.json().get("reason").asText()).isEqualTo("rules-server not reachable");
            assertThat(response.json().get("rules")).isEmpty();
            assertThat(response.body()).doesNotContain(ADMIN_KEY);
        }
        try (TestService none = TestService.start(Map.of("kairos.feedback.recalibration.enabled", false))) {
            JsonNode r = none.http.get("/v1/rule-activity?" + WINDOW, ADMIN_KEY).json();
            assertThat(r.get("available").asBoolean()).isFalse();
            assertThat(r.get("reason").asText()).contains("KAIROS_RULES_SERVER_URL");
        }
    }

    @Test
    void needsAKey() {
        assertThat(service.http.get("/v1/rule-activity", null).status()).isEqualTo(401);
    }
}
