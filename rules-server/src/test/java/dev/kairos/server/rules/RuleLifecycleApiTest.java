package dev.kairos.server.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;

class RuleLifecycleApiTest {
    static final String NEW_RULE = """
            package marketing.winter;

            rule "Winter sale banner"
                @description("Everyone sees the winter sale on the home banner")
            when
                $p : Placement( name == "home_banner" )
            then
                adapt($p).content("winter-sale").tone("festive").format("banner").cta("Winter sale: 30% off").priority(10);
            end
            """;

    TestServer server;
    Http http;

    @BeforeEach
    void start() {
        server = TestServer.start();
        http = server.http;
    }

    @AfterEach
    void stop() {
        server.close();
    }

    String decide(String user) {
        Http.Response r = http.postJson("/v1/decide", WRITE_KEY, "{\"userId\": \"" + user + "\", \"placements\": [\"home_banner\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode b = r.json();
        return b.get("rulesVersion").asText() + "|" + b.get("canary").asBoolean() + "|" + b.get("adaptations").get(0).get("rule").asText();
    }

    String uploadWinterRule() {
        Http.Response r = http.post("/v1/rules/versions?name=winter.drl&description=winter%20sale", ADMIN_KEY, "text/plain", NEW_RULE);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    @Test
    void canaryServesTheNewVersionToAStableShareOfUsersThenPromoteAndRollBack() {
        String v2 = uploadWinterRule();
        assertThat(decide("user-1")).isEqualTo("v1|false|Default home banner");

        Http.Response canary = http.postJson("/v1/rules/versions/" + v2 + "/activate", ADMIN_KEY, "{\"canaryPercent\": 30}");
        assertThat(canary.status()).as(canary.body()).isEqualTo(200);
        assertThat(canary.json().get("canary").asText()).isEqualTo(v2);

        Map<String, String> first = new ConcurrentHashMap<>();
        int inCanary = 0;
        for (int i = 0; i < 400; i++) {
            String answer = decide("user-" + i);
            first.put("user-" + i, answer);
            if (answer.startsWith(v2)) {
                inCanary++;
                assertThat(answer).isEqualTo(v2 + "|true|Winter sale banner");
            } else {
                assertThat(answer).isEqualTo("v1|false|Default home banner");
            }
        }
        assertThat(inCanary).as("about 30 %% of 400 users").isBetween(80, 160);
        for (int i = 0; i < 400; i += 7) {
            assertThat(decide("user-" + i)).as("the same user stays in the same group").isEqualTo(first.get("user-" + i));
        }

        JsonNode promoted = http.post("/v1/rules/promote", ADMIN_KEY, null, "").json();
        assertThat(promoted.get("active").asText()).isEqualTo(v2);
        assertThat(promoted.get("canary").isNull()).isTrue();
        assertThat(decide("user-3")).isEqualTo(v2 + "|false|Winter sale banner");

        JsonNode rolledBack = http.post("/v1/rules/rollback", ADMIN_KEY, null, "").json();
        assertThat(rolledBack.get("active").asText()).isEqualTo("v1");
        assertThat(decide("user-3")).isEqualTo("v1|false|Default home banner");

        JsonNode versions = http.get("/v1/rules/versions", ADMIN_KEY).json().get("versions");
        assertThat(versions).extracting(v -> v.get("id").asText() + ":" + v.get("status").asText())
                .containsExactly("v1:active", v2 + ":inactive");
    }

    @Test
    void rollingBackACanaryEndsItAndKeepsTheActiveVersion() {
        String v2 = uploadWinterRule();
        http.postJson("/v1/rules/versions/" + v2 + "/activate", ADMIN_KEY, "{\"canaryPercent\": 100}");
        assertThat(decide("anyone")).startsWith(v2 + "|false");
        String v3 = uploadWinterRule();
        http.postJson("/v1/rules/versions/" + v3 + "/activate?canaryPercent=50", ADMIN_KEY, "");
        JsonNode state = http.post("/v1/rules/rollback", ADMIN_KEY, null, "").json();
        assertThat(state.get("active").asText()).isEqualTo(v2);
        assertThat(state.get("canary").isNull()).isTrue();
    }

    @Test
    void versionsAndRoutingSurviveARestart() {
        String v2 = uploadWinterRule();
        http.postJson("/v1/rules/versions/" + v2 + "/activate", ADMIN_KEY, "{\"canaryPercent\": 40}");
        Path data = server.dataDir;
        server.close();
        server = TestServer.start(data, Map.of());
        http = server.http;
        JsonNode state = http.get("/v1/rules/state", ADMIN_KEY).json();
        assertThat(state.get("active").asText()).isEqualTo("v1");
        assertThat(state.get("canary").asText()).isEqualTo(v2);
        assertThat(state.get("canaryPercent").asDouble()).isEqualTo(40.0);
        Set<String> versionsSeen = new HashSet<>();
        for (int i = 0; i < 50; i++) versionsSeen.add(decide("u" + i).split("\\|")[0]);
        assertThat(versionsSeen).containsExactlyInAnyOrder("v1", v2);
    }

    @Test
    void activationUnderLoadFailsNoRequest() throws Exception {
        String v2 = uploadWinterRule();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService load = Executors.newFixedThreadPool(4);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int worker = t;
            workers.add(load.submit(() -> {
                int i = 0;
                while (running.get()) {
                    Http.Response r = http.postJson("/v1/decide", WRITE_KEY,
                            "{\"userId\": \"load-" + worker + "-" + (i++ % 50) + "\", \"placements\": [\"home_banner\"]}");
                    if (r.status() == 200) ok.incrementAndGet();
                    else failures.add(r.status() + " " + r.body());
                }
            }));
        }
        try {
            for (int round = 0; round < 5; round++) {
                assertThat(http.postJson("/v1/rules/versions/" + v2 + "/activate", ADMIN_KEY, "{\"canaryPercent\": 50}").status()).isEqualTo(200);
                assertThat(http.post("/v1/rules/promote", ADMIN_KEY, null, "").status()).isEqualTo(200);
                assertThat(http.post("/v1/rules/rollback", ADMIN_KEY, null, "").status()).isEqualTo(200);
            }
        } finally {
            running.set(false);
            for (Future<?> w : workers) w.get();
            load.shutdown();
        }
        assertThat(failures).isEmpty();
        assertThat(ok.get()).isGreaterThan(0);
    }
}
