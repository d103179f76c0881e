package dev.kairos.server.base;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Tier-1 base layer in a running server: a feed file and popular items (here from a stand-in of
 * the feedback service's {@code GET /v1/base/popular}; the e2e KairosStartTest reads the real one)
 * fill placements no rule adapted, a rule enhances them, a broken feed keeps the previous items.
 */
class BaseLayerApiTest {
    static TestServer server;
    static Http http;
    static HttpServer feedback;
    static Path feed;

    static final String FEED = """
            items:
              - {placement: home_banner, content: spring-sale, tone: casual, format: banner, cta: Shop the sale}
              - {placement: home_banner, content: new-arrivals, format: banner}
            """;

    @BeforeAll
    static void start() throws Exception {
        feedback = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        feedback.createContext("/v1/base/popular", ex -> {
            boolean authorized = ("Bearer " + ADMIN_KEY).equals(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = ("{\"items\": [{\"placement\": \"home_banner\", \"segment\": \"cart_history\", \"content\": \"reorder-favourites\","
                    + " \"score\": 0.21, \"shown\": 400, \"engaged\": 84}]}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(authorized ? 200 : 401, authorized ? body.length : -1);
            if (authorized) ex.getResponseBody().write(body);
            ex.close();
        });
        feedback.start();
        Path folder = Files.createTempDirectory("kairos-base");
        folder.toFile().deleteOnExit();
        feed = folder.resolve("base.yaml");
        Files.writeString(feed, FEED);
        feed.toFile().deleteOnExit(); // deleted at exit before its folder (the reverse order of registration)
        server = TestServer.start(TestServer.newDataDir(), Map.of("kairos.base.feed", feed.toString(), "kairos.base.popular.enabled", true,
                "kairos.feedback-url", "http://127.0.0.1:" + feedback.getAddress().getPort(), "kairos.base.refresh", "1h"));
        http = server.http;
        assertThat(http.postJson("/v1/base/refresh", ADMIN_KEY, "").status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
        feedback.stop(0);
    }

    static JsonNode decide(String signals) {
        Http.Response r = http.postJson("/v1/decide", WRITE_KEY,
                "{\"userId\": \"u-base\", \"placements\": [\"home_banner\"], \"signals\": " + signals + "}");
        assertThat(r.status()).isEqualTo(200);
        return r.json();
    }

    @Test
    void aPlacementNoRuleWonIsFilledByTheFeedsBestItemAndSaysSo() {
        JsonNode d = decide("{\"intentScore\": 0.1}");
        JsonNode a = d.get("adaptations").get(0);
        assertThat(a.get("contentId").asText()).isEqualTo("spring-sale");
        assertThat(a.get("layer").asText()).isEqualTo("tier1");
        assertThat(a.get("rule").asText()).isEqualTo("tier1");
        assertThat(a.get("cta").asText()).isEqualTo("Shop the sale");
        JsonNode x = d.get("explanation").get("placements").get("home_banner");
        assertThat(x.get("layer").asText()).isEqualTo("tier1");
        assertThat(x.get("why").asText()).contains("tier1 base layer: feed item 'spring-sale'");
    }

    @Test
    void similarUsersGetTheirSegmentsPopularItemAndHighIntentGetsTheEnhancedPick() {
        assertThat(decide("{\"intentScore\": 0.1, \"cartHistory\": 3}").get("adaptations").get(0).get("contentId").asText())
                .isEqualTo("reorder-favourites");
        JsonNode a = decide("{\"intentScore\": 0.97}").get("adaptations").get(0);
        assertThat(a.get("rule").asText()).isEqualTo("Tier-1 pick, urgent for high intent");
        assertThat(a.get("layer").asText()).isEqualTo("tier2");
        assertThat(a.get("contentId").asText()).isEqualTo("spring-sale");
        assertThat(a.get("tone").asText()).isEqualTo("urgent");
    }

    @Test
    void theStatusShowsBothSourcesAndABrokenFeedKeepsThePreviousItems() throws Exception {
        assertThat(http.get("/v1/base", WRITE_KEY).status()).as("admin only").isEqualTo(401);
        JsonNode s = http.get("/v1/base", ADMIN_KEY).json();
        assertThat(s.get("feed").get("items").asInt()).isEqualTo(2);
        assertThat(s.get("popular").get("items").asInt()).isEqualTo(1);
        assertThat(s.get("items").asInt()).isEqualTo(3);
        try {
            Files.writeString(feed, "items:\n  - {placement: home_banner, content: x, colour: red}\n");
            JsonNode broken = http.postJson("/v1/base/refresh", ADMIN_KEY, "").json();
            assertThat(broken.get("feed").get("problem").asText()).contains("unknown field 'colour'");
            assertThat(broken.get("feed").get("items").asInt()).as("the previous items stay").isEqualTo(2);
            assertThat(decide("{\"intentScore\": 0.1}").get("adaptations").get(0).get("contentId").asText()).isEqualTo("spring-sale");

            Files.writeString(feed, "items:\n  - {placement: home_banner, content: winter-sale, format: banner}\n");
            JsonNode fixed = http.postJson("/v1/base/refresh", ADMIN_KEY, "").json();
            assertThat(fixed.get("feed").get("problem").isNull()).isTrue();
            assertThat(decide("{\"intentScore\": 0.1}").get("adaptations").get(0).get("contentId").asText()).isEqualTo("winter-sale");
        } finally {
            Files.writeString(feed, FEED);
            http.postJson("/v1/base/refresh", ADMIN_KEY, "");
        }
    }
}
