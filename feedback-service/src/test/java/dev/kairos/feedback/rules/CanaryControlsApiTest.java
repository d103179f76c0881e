package dev.kairos.feedback.rules;

import dev.kairos.feedback.auth.MarketerAccounts;
import dev.kairos.feedback.support.RulesServerFake;
import dev.kairos.feedback.support.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.kairos.feedback.support.TestService.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/** The canary controls and pack views of the feedback API: validation, the admin-only rule, and rules-server's answers relayed. */
class CanaryControlsApiTest {
    static TestService service;
    static RulesServerFake rulesServer;

    @BeforeAll
    static void start() {
        rulesServer = new RulesServerFake().version("v1", "a.drl", "rule \"A\"", List.of("A")).version("v2", "a.drl", "rule \"B\"", List.of("B"))
                .routing("v1", null, 0);
        service = TestService.start(Map.of("kairos.feedback.recalibration.enabled", false, "kairos.feedback.rules-server-url", rulesServer.url(),
                "kairos.feedback.marketers", "ana:" + MarketerAccounts.hash("pw-for-ana-1".toCharArray())));
    }

    @AfterAll
    static void stop() {
        service.close();
        rulesServer.close();
    }

    @Test
    void validatesTheRequestBeforeAskingRulesServer() {
        assertThat(code(service.http.postJson("/v1/rules-routing/canary", ADMIN_KEY, "{\"version\": \"v2\", \"percent\": 100}"))).isEqualTo("out_of_range");
        assertThat(code(service.http.postJson("/v1/rules-routing/canary", ADMIN_KEY, "{\"percent\": 10}"))).isEqualTo("missing_field");
        assertThat(code(service.http.postJson("/v1/rules-routing/canary", ADMIN_KEY, "{\"version\": \"v2\", \"percent\": 10, \"x\": 1}"))).isEqualTo("unknown_field");
        assertThat(code(service.http.postJson("/v1/rules-routing/promote", ADMIN_KEY, "{\"expectedRevision\": -1}"))).isEqualTo("invalid_type");
        assertThat(service.http.postJson("/v1/rules-routing/launch", ADMIN_KEY, "{}").status()).isEqualTo(404);
        assertThat(service.http.get("/v1/rules-versions/..%2Fetc/files", ADMIN_KEY).status()).isIn(400, 404);
    }

    @Test
    void relaysRulesServerAndKeepsMarketersReadOnly() {
        String token = service.http.postJson("/v1/login", null, "{\"username\":\"ana\",\"password\":\"pw-for-ana-1\"}").json().get("token").asText();
        assertThat(service.http.postJson("/v1/rules-routing/canary", token, "{\"version\": \"v2\", \"percent\": 10}").status()).isEqualTo(403);
        assertThat(service.http.get("/v1/rules-versions/v2/files", token).json().get("files").get("a.drl").asText()).isEqualTo("rule \"B\"");

        var promote = service.http.postJson("/v1/rules-routing/promote", ADMIN_KEY, "{}");
        assertThat(promote.status()).as("rules-server's refusal is relayed").isEqualTo(409);
        assertThat(promote.json().get("error").get("code").asText()).isEqualTo("no_canary");
        var canary = service.http.postJson("/v1/rules-routing/canary", ADMIN_KEY, "{\"version\": \"v2\", \"percent\": 10}");
        assertThat(canary.status()).isEqualTo(200);
        assertThat(canary.json().get("canary").asText()).isEqualTo("v2");
        assertThat(service.http.get("/v1/rules-versions/v9/files", ADMIN_KEY).status()).isEqualTo(404);
    }

    static String code(dev.kairos.feedback.support.Http.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        return r.json().get("error").get("code").asText();
    }
}
