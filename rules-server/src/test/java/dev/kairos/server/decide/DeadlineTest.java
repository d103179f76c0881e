package dev.kairos.server.decide;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Defence in depth, proved with rules the allow-list would refuse (let through by the test hook
 * {@code kairos.test.unchecked-rules}): a rule that sleeps, one that spins until interrupted and
 * one that inserts without bound. Each costs its caller one deadline (or an error fallback);
 * other users' decisions and /health keep answering while it is stuck; and the circuit breaker
 * takes the version out of service by itself.
 */
class DeadlineTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Far beyond the deadline (50 ms) and far below the stuck rules' 30 s: a blocked caller could not answer in time. */
    static final long SLACK_MS = 3_000;
    static TestServer server;
    static Http http;

    static final String SLOW_RULES = """
            package com.acme.slow;
            rule "Sleeps for the slow segment"
            when
                Segment( name == "slow" )
                $p : Placement()
            then
                try { Thread.sleep(30000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
                adapt($p).content("too-late");
            end
            rule "Spins for the spin segment"
            when
                Segment( name == "spin" )
                $p : Placement()
            then
                long end = System.nanoTime() + 30000000000L;
                while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) { }
                adapt($p).content("too-late");
            end
            rule "Inserts without end for the flood segment"
            when
                Segment( name == "flood" )
                $p : Placement()
            then
                insert(new Segment("flood", null));
            end
            rule "Answers everyone else"
            when
                $p : Placement()
                not Segment( name in ("slow", "spin", "flood") )
            then
                adapt($p).content("fast");
            end
            """;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestServer.newDataDir(), Map.of(
                "kairos.test.unchecked-rules", "true",
                "kairos.decide.deadline", "50ms",
                "kairos.breaker.window", "20",
                "kairos.breaker.threshold", "0.25"));
        http = server.http;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String decide(String user, String segment) {
        return """
                {"userId": "%s", "placements": ["home_banner"], "segments": [%s],
                 "context": {"timestamp": "2026-11-23T18:30:00Z"}}""".formatted(user, segment == null ? "" : "\"" + segment + "\"");
    }

    static String upload(String drl) {
        Http.Response r = http.post("/v1/rules/versions?name=slow.drl", ADMIN_KEY, "text/plain", drl);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    @Test
    void aStuckRuleCostsItsCallerOneDeadlineAndTheBreakerRollsItsVersionBack() throws Exception {
        String v2 = upload(SLOW_RULES);
        assertThat(http.postJson("/v1/rules/versions/" + v2 + "/activate", ADMIN_KEY, "{}").status()).isEqualTo(200);

        // A stuck caller gets the fallback at its deadline, told why.
        long t0 = System.nanoTime();
        Http.Response slow = http.postJson("/v1/decide", WRITE_KEY, decide("stuck-1", "slow"));
        long slowMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(slow.status()).isEqualTo(200);
        JsonNode body = slow.json();
        assertThat(body.get("rulesVersion").asText()).isEqualTo(v2);
        assertThat(body.get("explanation").get("fallback").asText()).isEqualTo("deadline");
        assertThat(body.get("adaptations").get(0).get("fallback").asBoolean()).isTrue();
        assertThat(body.get("adaptations").get(0).get("contentId").isNull()).isTrue();
        assertThat(slowMs).as("answered at the deadline, not after the rule's 30 s").isLessThan(SLACK_MS);

        // While stuck evaluations pile up, everyone else and /health keep answering.
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Http.Response>> stuck = new ArrayList<>();
            for (int i = 0; i < 3; i++) stuck.add(pool.submit(() -> http.postJson("/v1/decide", WRITE_KEY, decide("stuck-" + System.nanoTime(), "spin"))));
            for (int i = 0; i < 20; i++) {
                long s = System.nanoTime();
                Http.Response ok = http.postJson("/v1/decide", WRITE_KEY, decide("fine-" + i, null));
                Http.Response health = http.get("/health", null);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s);
                assertThat(ok.status()).isEqualTo(200);
                assertThat(health.status()).isEqualTo(200);
                assertThat(ms).as("a healthy decide and /health while others are stuck").isLessThan(SLACK_MS);
                String rulesVersion = ok.json().get("rulesVersion").asText();
                if (rulesVersion.equals(v2)) {
                    assertThat(ok.json().get("adaptations").get(0).get("contentId").asText()).isEqualTo("fast");
                }
            }
            for (Future<Http.Response> f : stuck) {
                Http.Response r = f.get(SLACK_MS, TimeUnit.MILLISECONDS);
                assertThat(r.status()).isEqualTo(200);
                if (r.json().get("rulesVersion").asText().equals(v2)) {
                    assertThat(r.json().get("explanation").get("fallback").asText()).isEqualTo("deadline");
                }
            }
        } finally {
            pool.shutdownNow();
        }

        // Enough failures in the window: the server takes v2 out of service by itself.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            http.postJson("/v1/decide", WRITE_KEY, decide("stuck-" + System.nanoTime(), "slow"));
            JsonNode state = http.get("/v1/rules/state", ADMIN_KEY).json();
            assertThat(state.get("active").asText()).isNotEqualTo(v2);
        });
        JsonNode state = http.get("/v1/rules/state", ADMIN_KEY).json();
        JsonNode last = state.get("changes").get(state.get("changes").size() - 1);
        assertThat(last.get("action").asText()).isEqualTo("auto-rollback");
        assertThat(last.get("version").asText()).isEqualTo(v2);
        assertThat(last.get("by").asText()).isEqualTo("breaker");
        assertThat(last.get("reason").asText()).contains("past the deadline");

        // The restored version answers the once-stuck users normally.
        JsonNode after = http.postJson("/v1/decide", WRITE_KEY, decide("stuck-again", "slow")).json();
        assertThat(after.get("rulesVersion").asText()).isNotEqualTo(v2);
        assertThat(after.get("explanation").has("fallback")).isFalse();

        String metrics = http.get("/prometheus", null).body();
        assertThat(metrics).contains("kairos_decide_deadline_total").contains("kairos_rules_breaker_trips_total 1.0");
        assertThat(metrics).contains("kairos_decide_stage_seconds_bucket{stage=\"drools\"")
                .contains("stage=\"parse\"").contains("stage=\"fusion\"").contains("stage=\"signals\"").contains("stage=\"serialize\"");
    }

    @Test
    void aRuleThatThrowsAnswersWithTheErrorFallbackAndACanaryIsRolledBack() {
        String active = http.get("/v1/rules/state", ADMIN_KEY).json().get("active").asText();
        String v = upload(SLOW_RULES);
        assertThat(http.postJson("/v1/rules/versions/" + v + "/activate", ADMIN_KEY, "{\"canaryPercent\": 90}").status()).isEqualTo(200);
        JsonNode body = null;
        for (int i = 0; body == null || !body.get("canary").asBoolean(); i++) {
            body = http.postJson("/v1/decide", WRITE_KEY, decide("flooder-" + i, "flood")).json();
        }
        assertThat(body.get("rulesVersion").asText()).isEqualTo(v);
        assertThat(body.get("explanation").get("fallback").asText()).isEqualTo("error");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            http.postJson("/v1/decide", WRITE_KEY, decide("flooder-" + System.nanoTime(), "flood"));
            JsonNode state = http.get("/v1/rules/state", ADMIN_KEY).json();
            assertThat(state.get("canary").isNull()).isTrue();
        });
        JsonNode state = http.get("/v1/rules/state", ADMIN_KEY).json();
        assertThat(state.get("active").asText()).as("the active version is untouched").isEqualTo(active);
        JsonNode last = state.get("changes").get(state.get("changes").size() - 1);
        assertThat(last.get("action").asText()).isEqualTo("auto-rollback");
        assertThat(last.get("reason").asText()).contains("errors");
    }
}
