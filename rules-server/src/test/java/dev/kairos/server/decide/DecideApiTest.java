package dev.kairos.server.decide;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;

class DecideApiTest {
    static TestServer server;
    static Http http;

    static final String PINNED_REQUEST = """
            {"userId": "u-42", "anonymousId": "a-1", "sessionId": "s-1", "placements": ["home_banner"],
             "context": {"device": {"type": "mobile", "os": "ios"}, "location": {"lat": 52.5, "lon": 13.4,
             "placeType": "restaurant"}, "timezone": "Europe/Berlin", "timestamp": "2026-11-23T18:30:00Z",
             "page": "/product/42"}, "signals": {"intentScore": 0.9}}
            """;

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
    void answersThePinnedDecideContract() {
        Http.Response r = http.postJson("/v1/decide", WRITE_KEY, PINNED_REQUEST);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = r.json();
        assertThat(UUID.fromString(body.get("decisionId").asText())).isNotNull();
        assertThat(body.get("rulesVersion").asText()).isEqualTo("v1");
        assertThat(body.get("weightsVersion").asText()).isEqualTo("default");
        JsonNode a = body.get("adaptations").get(0);
        assertThat(a.get("placement").asText()).isEqualTo("home_banner");
        assertThat(a.get("contentId").asText()).isEqualTo("restaurant-deals");
        assertThat(a.get("tone").asText()).isEqualTo("casual");
        assertThat(a.get("format").asText()).isEqualTo("carousel");
        assertThat(a.get("cta").asText()).isEqualTo("Order now & get 15% off");
        assertThat(a.get("rule").asText()).isEqualTo("Evening restaurant offer");
        assertThat(a.get("fallback").asBoolean()).isFalse();
        JsonNode why = body.get("explanation").get("placements").get("home_banner");
        assertThat(why.get("winner").asText()).isEqualTo("Evening restaurant offer");
        assertThat(why.get("candidates")).extracting(c -> c.get("rule").asText())
                .containsExactly("Evening restaurant offer", "Default home banner");
        assertThat(why.get("candidates").get(1).get("lostBecause").asText()).contains("pack default");
    }

    @Test
    void everyRequestedPlacementIsAnsweredAndUnknownOnesFallBack() {
        JsonNode body = http.postJson("/v1/decide", WRITE_KEY, """
                {"anonymousId": "a-9", "placements": ["product_page", "home_banner", "made_up_slot", "product_page"],
                 "context": {"page": "/product/1"}, "signals": {"intentScore": 0.95}}
                """).json();
        List<String> placements = new ArrayList<>();
        body.get("adaptations").forEach(a -> placements.add(a.get("placement").asText()));
        assertThat(placements).containsExactly("product_page", "home_banner", "made_up_slot");
        assertThat(body.get("adaptations").get(0).get("format").asText()).isEqualTo("popup");
        assertThat(body.get("adaptations").get(1).get("fallback").asBoolean()).isTrue();
        assertThat(body.get("adaptations").get(2).get("fallback").asBoolean()).isTrue();
        assertThat(body.get("adaptations").get(2).get("rule").asText()).isEqualTo("Default for any other placement");
    }

    @Test
    void unknownFieldsAreIgnoredAndReportedAsWarnings() {
        JsonNode body = http.postJson("/v1/decide", WRITE_KEY, """
                {"userId": "u", "placements": ["home_banner"], "colour": "red", "context": {"weather": "rain"}}
                """).json();
        assertThat(body.get("warnings")).extracting(w -> w.get("field").asText()).containsExactly("colour", "context.weather");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"placements\": [\"home_banner\"]}                                             | missing_field | userId",
            "{\"userId\": \"u\"}                                                              | missing_field | placements",
            "{\"userId\": \"u\", \"placements\": []}                                          | out_of_range  | placements",
            "{\"userId\": \"u\", \"placements\": [\"bad name!\"]}                              | invalid_value | placements[0]",
            "{\"userId\": 7, \"placements\": [\"x\"]}                                          | invalid_type  | userId",
            "{\"userId\": \"u\", \"placements\": [\"x\"], \"context\": {\"timezone\": \"Mars/Olympus\"}} | invalid_value | context.timezone",
            "{\"userId\": \"u\", \"placements\": [\"x\"], \"context\": {\"timestamp\": \"yesterday\"}}  | invalid_value | context.timestamp",
            "{\"userId\": \"u\", \"placements\": [\"x\"], \"context\": {\"location\": {\"lat\": 95, \"lon\": 1}}} | out_of_range | context.location.lat",
            "{\"userId\": \"u\", \"placements\": [\"x\"], \"signals\": {\"intentScore\": 1.5}}  | out_of_range  | signals.intentScore",
            "{\"userId\": \"u\", \"placements\": [\"x\"], \"signals\": {\"cartItems\": \"two\"}} | invalid_type  | signals.cartItems",
            "[1, 2]                                                                          | invalid_type  | ''",
            "{\"userId\": \"u\", \"placements\": [\"x\"], \"segments\": [\" \"]}                    | invalid_value | segments[0]",
            "{\"userId\": \"u\", \"placements\": [\"x\"], \"signals\": {\"dwellByCategory\": {\"news\": -1}}} | out_of_range | signals.dwellByCategory.news",
    })
    void invalidInputIsA400NamingTheField(String body, String code, String field) {
        Http.Response r = http.postJson("/v1/decide", WRITE_KEY, body);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        JsonNode error = r.json().get("error");
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.path("field").asText("")).isEqualTo(field);
        assertThat(error.get("message").asText()).isNotBlank().doesNotContain("Exception");
    }

    @Test
    void malformedJsonIsA400NotA500() {
        Http.Response r = http.postJson("/v1/decide", WRITE_KEY, "{\"userId\": ");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("code").asText()).isEqualTo("invalid_json");
    }

    @Test
    void anEmptyBodyIsA400() {
        Http.Response r = http.postJson("/v1/decide", WRITE_KEY, "");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("code").asText()).isIn("missing_body", "bad_request");
    }

    @Test
    void anOversizedBodyIsA413() {
        String big = "{\"userId\": \"u\", \"placements\": [\"x\"], \"pad\": \"" + "x".repeat(1_100_000) + "\"}";
        Http.Response r = http.postJson("/v1/decide", WRITE_KEY, big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.json().get("error").get("code").asText()).isEqualTo("payload_too_large");
    }

    @Test
    void aMissingOrUnknownKeyIsA401() {
        Http.Response missing = http.postJson("/v1/decide", null, PINNED_REQUEST);
        Http.Response unknown = http.postJson("/v1/decide", "not-a-key", PINNED_REQUEST);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().get("error").get("code").asText()).isEqualTo("missing_key");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.json().get("error").get("code").asText()).isEqualTo("invalid_key");
        assertThat(unknown.body()).doesNotContain("not-a-key");
    }

    @Test
    void everyConfiguredWriteKeyIsAccepted() {
        assertThat(http.postJson("/v1/decide", "wk_other_app", PINNED_REQUEST).status()).isEqualTo(200);
        assertThat(http.postJson("/v1/decide", ADMIN_KEY, PINNED_REQUEST).status()).isEqualTo(200);
    }

    @Test
    void frameworkErrorsUseTheSameShape() {
        Http.Response notFound = http.get("/v1/nothing-here", WRITE_KEY);
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.json().get("error").get("code").asText()).isEqualTo("not_found");
        Http.Response wrongType = http.post("/v1/decide", WRITE_KEY, "application/xml", "<a/>");
        assertThat(wrongType.status()).isEqualTo(415);
        assertThat(wrongType.json().get("error").get("code").asText()).isEqualTo("unsupported_media_type");
        Http.Response wrongMethod = http.get("/v1/decide", WRITE_KEY);
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.json().get("error").get("code").asText()).isEqualTo("method_not_allowed");
    }

    @Test
    void nonApiPathsNeedAKeyToo() {
        assertThat(http.get("/anything", null).status()).isEqualTo(401);
        assertThat(http.get("/health", null).status()).isEqualTo(200);
    }

    @Test
    void healthAndMetricsAreServed() {
        Http.Response health = http.get("/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("UP");
        assertThat(http.get("/health/liveness", null).status()).isEqualTo(200);
        // Deadlocks are looked for in the background (DeadlockHealth), not by a JVM-wide safepoint per /health call.
        assertThat(server.server.getApplicationContext().getBeansOfType(io.micronaut.management.health.indicator.HealthIndicator.class))
                .extracting(b -> b.getClass().getSimpleName())
                .contains("DeadlockHealth").doesNotContain("DeadlockedThreadsHealthIndicator");
        http.postJson("/v1/decide", WRITE_KEY, PINNED_REQUEST);
        Http.Response metrics = http.get("/prometheus", null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("kairos_decide_seconds_count");
    }
}
