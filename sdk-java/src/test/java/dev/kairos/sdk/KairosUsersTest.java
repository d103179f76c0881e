package dev.kairos.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Decisions belong to the user they were made for: cache, defaults, exposure and per-call identity. */
class KairosUsersTest {
    @TempDir
    Path dir;
    FakeServer server;

    @BeforeEach
    void start() throws IOException {
        server = new FakeServer();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    Kairos client() {
        return Kairos.builder("wk").baseUrl(server.url()).storageDirectory(dir).logger(KairosLogger.NONE)
                .decideTimeout(Duration.ofSeconds(2))
                .defaultAdaptation(Adaptation.builder("home_banner").contentId("spring-sale").format("banner").cta("Shop now").build())
                .build();
    }

    @Test
    void afterResetAndIdentifyTheNextUserNeverGetsThePreviousUsersCachedDecision() {
        try (Kairos k = client()) {
            k.identify("A", null);
            assertThat(content(k.decide(List.of("home_banner"), null))).isEqualTo("for-A-on-any");

            k.reset();
            k.identify("B", null);
            server.decideUp = false;
            Decision b = k.decide(List.of("home_banner"), null);

            assertThat(b.source()).isEqualTo(Decision.Source.DEFAULT);
            assertThat(content(b)).as("the app default, not A's decision").isEqualTo("spring-sale");
            assertThat(b.decisionId()).isNull();
            // A signs in again on this device: reset() forgot A's answers too.
            k.reset();
            k.identify("A", null);
            assertThat(k.decide(List.of("home_banner"), null).source()).isEqualTo(Decision.Source.DEFAULT);
        }
    }

    @Test
    void eachUserAndContextFallsBackToItsOwnLastAnswer() {
        try (Kairos k = client()) {
            k.identify("A", null);
            k.decide(List.of("home_banner"), Map.of("page", "/home"));
            k.decide(List.of("home_banner"), Map.of("page", "/cart"));
            k.identify("B", null);
            k.decide(List.of("home_banner"), Map.of("page", "/home"));

            server.decideUp = false;
            Decision b = k.decide(List.of("home_banner"), Map.of("page", "/home"));
            assertThat(b.source()).isEqualTo(Decision.Source.CACHE);
            assertThat(content(b)).isEqualTo("for-B-on-/home");
            assertThat(content(k.decide(List.of("home_banner"), Map.of("page", "/cart"))))
                    .as("B never decided on /cart: no one else's answer").isEqualTo("spring-sale");
            k.identify("A", null);
            assertThat(content(k.decide(List.of("home_banner"), Map.of("page", "/cart")))).isEqualTo("for-A-on-/cart");
        }
    }

    @Test
    void theLastAnswerSurvivesARestartAndAnOfflineStart() {
        String decisionId;
        try (Kairos k = client()) {
            k.identify("A", null);
            Decision d = k.decide(List.of("home_banner", "product_page"), null);
            decisionId = d.decisionId();
        }
        server.decideUp = false;
        try (Kairos k = client()) {
            Decision d = k.decide(List.of("product_page", "home_banner", "in_app_message"), null);
            assertThat(d.source()).isEqualTo(Decision.Source.CACHE);
            assertThat(d.decisionId()).isEqualTo(decisionId);
            assertThat(d.adaptations()).extracting(Adaptation::contentId).containsExactly("for-A-on-any", "for-A-on-any", null);
            assertThat(d.forPlacement("home_banner").orElseThrow().decisionId()).isEqualTo(decisionId);
            assertThat(d.forPlacement("in_app_message").orElseThrow().fallback()).isTrue();
            assertThat(d.variants()).containsEntry("banner_copy", "copy_b");
        }
    }

    @Test
    void aServerAnswerCarriesVariantsAndTheExplanation() {
        try (Kairos k = client()) {
            Decision d = k.decide(List.of("home_banner"), null);
            assertThat(d.variants()).containsExactly(Map.entry("banner_copy", "copy_b"));
            assertThat(d.explanation()).containsKey("firedRules");
            assertThat(d.explanation().get("firedRules")).isEqualTo(List.of("R"));
            assertThat(d.forPlacement("home_banner").orElseThrow().decisionId()).isEqualTo(d.decisionId());
        }
    }

    @Test
    void markShownSendsOneImpressionPerPlacementForTheUserTheDecisionWasFor() {
        try (Kairos k = client()) {
            k.identify("A", null);
            Decision d = k.decide(List.of("home_banner", "product_page"), null);
            k.reset(); // the impression is still A's
            d.markShown();
            d.markShown();
            d.markShown("home_banner");
            k.outcome(d, "home_banner", Outcome.CLICK);
            assertThat(k.flush(Duration.ofSeconds(10))).isTrue();

            assertThat(server.outcomes).hasSize(3);
            List<String> impressions = new ArrayList<>();
            for (JsonNode o : server.outcomes) {
                assertThat(o.get("userId").asText()).isEqualTo("A");
                assertThat(o.get("decisionId").asText()).isEqualTo(d.decisionId());
                if (o.get("type").asText().equals("impression")) impressions.add(o.get("placement").asText());
            }
            assertThat(impressions).containsExactlyInAnyOrder("home_banner", "product_page");
            assertThat(d.wasShown("home_banner")).isTrue();
        }
    }

    @Test
    void aDefaultAnswerHasNothingToMarkShown() {
        server.decideUp = false;
        try (Kairos k = client()) {
            Decision d = k.decide(List.of("home_banner"), null);
            d.markShown();
            assertThat(k.stats().tracked()).isZero();
        }
    }

    @Test
    void aBackendDecidesAndTracksPerCallForManyUsersAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (Kairos k = Kairos.builder("wk").baseUrl(server.url()).inMemoryQueue().logger(KairosLogger.NONE)
                .decideTimeout(Duration.ofSeconds(5)).build()) {
            List<Future<Decision>> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String user = "user-" + i;
                answers.add(pool.submit(() -> {
                    k.track(user, "page_view", Map.of("path", "/p/" + user));
                    return k.decide(user, List.of("home_banner"), Map.of("page", "/p"));
                }));
            }
            for (int i = 0; i < 40; i++) {
                Decision d = answers.get(i).get();
                assertThat(content(d)).isEqualTo("for-user-" + i + "-on-/p");
                d.markShown();
            }
            assertThat(k.flush(Duration.ofSeconds(10))).isTrue();

            assertThat(server.decides).hasSize(40).allSatisfy(body -> {
                assertThat(body.hasNonNull("anonymousId")).as("no client identity in a per-call request").isFalse();
                assertThat(body.hasNonNull("sessionId")).isFalse();
            });
            assertThat(server.events).hasSize(40).allSatisfy(e -> {
                assertThat(e.hasNonNull("anonymousId")).isFalse();
                assertThat(e.get("properties").get("path").asText()).isEqualTo("/p/" + e.get("userId").asText());
            });
            assertThat(server.outcomes).hasSize(40).allSatisfy(o -> assertThat(o.hasNonNull("anonymousId")).isFalse());
            assertThat(server.outcomes).extracting(o -> o.get("userId").asText()).doesNotHaveDuplicates();

            server.decideUp = false;
            assertThat(content(k.decide("user-7", List.of("home_banner"), Map.of("page", "/p")))).isEqualTo("for-user-7-on-/p");
            assertThat(k.decide("user-99", List.of("home_banner"), Map.of("page", "/p")).source()).isEqualTo(Decision.Source.DEFAULT);
            assertThat(k.userId()).as("per-call use leaves the client's identity alone").isNull();
        } finally {
            pool.shutdownNow();
        }
    }

    static String content(Decision d) {
        return d.forPlacement("home_banner").orElseThrow().contentId();
    }
}
