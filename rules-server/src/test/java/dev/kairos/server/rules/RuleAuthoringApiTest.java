package dev.kairos.server.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.kairos.server.rules.RuleLifecycleApiTest.NEW_RULE;
import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Validating and uploading rules, and requests the lifecycle refuses: none of these activates a
 * version, so they share one server ({@link RuleLifecycleApiTest} starts one per test for those that do).
 */
class RuleAuthoringApiTest {
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

    String upload() {
        Http.Response r = http.post("/v1/rules/versions?name=winter.drl&description=winter%20sale", ADMIN_KEY, "text/plain", NEW_RULE);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    @Test
    void validateReportsSyntaxErrorsWithLineAndColumnAndActivatesNothing() {
        int versions = http.get("/v1/rules/versions", ADMIN_KEY).json().get("versions").size();
        String state = http.get("/v1/rules/state", ADMIN_KEY).body();
        Http.Response r = http.post("/v1/rules/validate", ADMIN_KEY, "text/plain", """
                package p;
                rule "broken"
                when
                    Placement( name == "x"
                then
                end
                """);
        assertThat(r.status()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.get("valid").asBoolean()).isFalse();
        JsonNode problem = body.get("problems").get(0);
        assertThat(problem.get("line").asInt()).isBetween(4, 5);
        assertThat(problem.get("column").asInt()).isPositive();
        assertThat(problem.get("kind").asText()).isEqualTo("syntax");
        assertThat(http.get("/v1/rules/versions", ADMIN_KEY).json().get("versions")).hasSize(versions);
        assertThat(http.get("/v1/rules/state", ADMIN_KEY).body()).isEqualTo(state);
    }

    @Test
    void validateAcceptsAGoodRuleAndNamesIt() {
        JsonNode body = http.post("/v1/rules/validate", ADMIN_KEY, "text/plain", NEW_RULE).json();
        assertThat(body.get("valid").asBoolean()).isTrue();
        assertThat(body.get("rules")).extracting(JsonNode::asText).containsExactly("Winter sale banner");
    }

    @Test
    void uploadRejectsRulesThatReachOutsideTheFactModel() {
        Http.Response r = http.post("/v1/rules/versions", ADMIN_KEY, "text/plain", """
                package p;
                import java.nio.file.Files;
                rule "sneaky" when $p : Placement() then adapt($p); end
                """);
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("error").get("code").asText()).isEqualTo("rules_invalid");
        assertThat(r.json().get("problems").get(0).get("kind").asText()).isEqualTo("forbidden");
        assertThat(r.json().get("problems").get(0).get("line").asInt()).isEqualTo(2);
    }

    @Test
    void ruleManagementNeedsTheAdminKey() {
        assertThat(http.get("/v1/rules/versions", WRITE_KEY).status()).isEqualTo(401);
        assertThat(http.post("/v1/rules/versions", WRITE_KEY, "text/plain", NEW_RULE).status()).isEqualTo(401);
        assertThat(http.get("/v1/rules/versions", null).status()).isEqualTo(401);
    }

    @Test
    void noSpellingOfAnAdminPathGetsPastWithAWriteKey() {
        for (String path : new String[] {"//v1/rules/state", "/v1//rules/state", "/v1/%72ules/state", "/v1/rules/%2e/state", "/V1/RULES/state"}) {
            assertThat(http.get(path, WRITE_KEY).status()).as(path).isIn(401, 404);
        }
        assertThat(http.get("/v1/rules/state", ADMIN_KEY).status()).isEqualTo(200);
    }

    @Test
    void aCanaryBelowTheSmallestBucketIsRejected() {
        String id = upload();
        Http.Response r = http.postJson("/v1/rules/versions/" + id + "/activate", ADMIN_KEY, "{\"canaryPercent\": 0.001}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("message").asText()).contains("0.01");
    }

    @Test
    void uploadsAMultiFilePackAsJson() throws Exception {
        String body = new ObjectMapper().writeValueAsString(Map.of("description", "two files",
                "files", Map.of("a.drl", NEW_RULE, "b.drl", NEW_RULE.replace("Winter sale banner", "Second banner").replace("winter", "second"))));
        Http.Response r = http.postJson("/v1/rules/versions", ADMIN_KEY, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("rules")).extracting(JsonNode::asText).containsExactly("Second banner", "Winter sale banner");
        assertThat(r.json().get("status").asText()).isEqualTo("inactive");
        JsonNode got = http.get("/v1/rules/versions/" + r.json().get("id").asText(), ADMIN_KEY).json();
        assertThat(got.get("files").get("a.drl").asText()).isEqualTo(NEW_RULE);
    }

    @Test
    void badLifecycleRequestsAreClearErrors() {
        assertThat(http.postJson("/v1/rules/versions/v99/activate", ADMIN_KEY, "{}").status()).isEqualTo(404);
        String id = upload();
        Http.Response badPercent = http.postJson("/v1/rules/versions/" + id + "/activate", ADMIN_KEY, "{\"canaryPercent\": 150}");
        assertThat(badPercent.status()).isEqualTo(400);
        assertThat(badPercent.json().get("error").get("field").asText()).isEqualTo("canaryPercent");
        assertThat(http.post("/v1/rules/promote", ADMIN_KEY, null, "").status()).isEqualTo(409);
        assertThat(http.post("/v1/rules/rollback", ADMIN_KEY, null, "").status()).isEqualTo(409);
        assertThat(http.post("/v1/rules/versions?name=../../etc/passwd", ADMIN_KEY, "text/plain", NEW_RULE).status()).isEqualTo(400);
    }
}
