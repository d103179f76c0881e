package dev.kairos.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class KairosDecideTest {
    static final String ANSWER = "{\"decisionId\": \"d-1\", \"rulesVersion\": \"v3\", \"weightsVersion\": \"w2\", \"canary\": false,"
            + " \"adaptations\": [{\"placement\": \"home_banner\", \"contentId\": \"restaurant-deals\", \"tone\": \"casual\","
            + " \"format\": \"carousel\", \"cta\": \"Order now\", \"priority\": 50, \"rule\": \"Evening restaurant offer\","
            + " \"reason\": \"evening\", \"fallback\": false, \"suppressed\": false, \"params\": {\"discount\": \"15%\"}}],"
            + " \"segments\": [\"high_intent_now\"], \"explanation\": {}}";

    @TempDir
    Path dir;
    MockWebServer server;
    Kairos kairos;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        kairos = Kairos.builder("wk_test").baseUrl(server.url("/").toString()).storageDirectory(dir)
                .decideTimeout(Duration.ofMillis(300)).logger(KairosLogger.NONE).clientSignals(true)
                .contextProvider(new ContextProvider() {
                    @Override public Map<String, Object> staticContext() {
                        return Map.of("device", Map.of("type", "mobile", "model", "Pixel 9"));
                    }
                }).build();
    }

    @AfterEach
    void stop() throws IOException {
        kairos.close();
        server.shutdown();
    }

    @Test
    void asksTheServerWithIdentitySessionContextAndClientSignals() throws Exception {
        server.enqueue(new MockResponse().setBody(ANSWER));
        kairos.identify("u-42", Map.of("plan", "gold"));
        for (int i = 0; i < 3; i++) kairos.scroll(0.2 * (i + 1), 4000);
        Decision d = kairos.decide(List.of("home_banner"), Map.of("page", "/home", "device", Map.of("appVersion", "4.2")));

        assertThat(d.source()).isEqualTo(Decision.Source.SERVER);
        assertThat(d.decisionId()).isEqualTo("d-1");
        assertThat(d.weightsVersion()).isEqualTo("w2");
        assertThat(d.segments()).containsExactly("high_intent_now");
        Adaptation a = d.forPlacement("home_banner").orElseThrow();
        assertThat(a.contentId()).isEqualTo("restaurant-deals");
        assertThat(a.rule()).isEqualTo("Evening restaurant offer");
        assertThat(a.params()).containsEntry("discount", "15%");

        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r.getPath()).isEqualTo("/v1/decide");
        JsonNode body = Collector.body(r);
        assertThat(body.get("userId").asText()).isEqualTo("u-42");
        assertThat(body.get("anonymousId").asText()).isEqualTo(kairos.anonymousId());
        assertThat(body.get("sessionId").asText()).isEqualTo(kairos.sessionId());
        assertThat(body.get("placements").get(0).asText()).isEqualTo("home_banner");
        assertThat(body.get("context").get("page").asText()).isEqualTo("/home");
        assertThat(body.get("context").get("device").get("model").asText()).as("static context kept").isEqualTo("Pixel 9");
        assertThat(body.get("context").get("device").get("appVersion").asText()).as("call context merged in").isEqualTo("4.2");
        assertThat(body.get("signals").get("rapidScrollBursts").asInt()).isEqualTo(1);
        assertThat(body.get("signals").get("scrollDepth").asDouble()).isEqualTo(0.6, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void answersWithTheLastGoodDecisionWhenTheServerIsTooSlow() {
        server.enqueue(new MockResponse().setBody(ANSWER));
        server.enqueue(new MockResponse().setBody(ANSWER).setHeadersDelay(2, TimeUnit.SECONDS));
        assertThat(kairos.decide(List.of("home_banner"), null).source()).isEqualTo(Decision.Source.SERVER);

        Decision late = kairos.decide(List.of("home_banner"), null);
        assertThat(late.source()).isEqualTo(Decision.Source.CACHE);
        assertThat(late.decisionId()).isEqualTo("d-1");
        assertThat(late.forPlacement("home_banner").orElseThrow().contentId()).isEqualTo("restaurant-deals");
    }

    @Test
    void answersShowNothingWhenTheServerIsUnreachableAndNothingIsCached() {
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AT_START));
        Decision d = kairos.decide(List.of("product_page", "in_app_message"), null);
        assertThat(d.source()).isEqualTo(Decision.Source.DEFAULT);
        assertThat(d.decisionId()).isNull();
        assertThat(d.adaptations()).extracting(Adaptation::placement).containsExactly("product_page", "in_app_message");
        assertThat(d.adaptations()).allSatisfy(a -> {
            assertThat(a.fallback()).isTrue();
            assertThat(a.contentId()).isNull();
            assertThat(a.format()).isEqualTo("none");
        });
        // Outcomes of a default answer have no decision to join: ignored, not queued.
        kairos.outcome(d, "product_page", Outcome.IMPRESSION);
        assertThat(kairos.stats().tracked()).isZero();
    }

    @Test
    void decideAsyncFallsBackInsteadOfFailing() throws Exception {
        server.enqueue(new MockResponse().setBody(ANSWER));
        server.enqueue(new MockResponse().setResponseCode(503));
        assertThat(kairos.decideAsync(List.of("home_banner"), null).get(5, TimeUnit.SECONDS).source()).isEqualTo(Decision.Source.SERVER);
        Decision d = kairos.decideAsync(List.of("home_banner"), null).get(5, TimeUnit.SECONDS);
        assertThat(d.source()).isEqualTo(Decision.Source.CACHE);
    }

    @Test
    void aBadRequestIsNotCachedOverAGoodAnswerAndFallsBack() {
        server.enqueue(new MockResponse().setResponseCode(400)
                .setBody("{\"error\": {\"code\": \"invalid_value\", \"message\": \"bad\", \"field\": \"placements[0]\"}}"));
        Decision d = kairos.decide(List.of("home_banner"), null);
        assertThat(d.source()).isEqualTo(Decision.Source.DEFAULT);
    }
}
