package dev.kairos.server.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of one deployment (the same topics, their own data folders): a version uploaded and
 * canaried through one is served by the other within a second; concurrent routing changes through
 * both are ordered and none is lost (compare-and-set: 409 for a stale revision); a third instance
 * with an empty data folder bootstraps the same state from the topic; and an older single-node data
 * folder is migrated to a fresh topic once, keeping its ids.
 */
class SharedRulesTest {
    static TestServer a;
    static TestServer b;

    static final String PACK = """
            package com.acme.shared;
            rule "Shared offer" when $p : Placement( name == "home_banner" ) then adapt($p).content("shared-%s").priority(99); end
            """;

    @BeforeAll
    static void start() {
        a = TestServer.start();
        b = TestServer.peer(a, Map.of());
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
    }

    static String decide(Http http, String user) {
        JsonNode r = http.postJson("/v1/decide", WRITE_KEY, "{\"userId\": \"" + user + "\", \"placements\": [\"home_banner\"]}").json();
        return r.get("rulesVersion").asText() + "/" + r.get("adaptations").get(0).get("contentId").asText();
    }

    static String upload(Http http, String tag) {
        Http.Response r = http.post("/v1/rules/versions?name=shared.drl", ADMIN_KEY, "text/plain", PACK.formatted(tag));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    @Test
    void aVersionUploadedAndActivatedOnOneInstanceIsServedByTheOtherWithinASecond() {
        String v = upload(a.http, "one");
        assertThat(b.http.get("/v1/rules/versions/" + v, ADMIN_KEY).status()).as("the other instance knows it").isEqualTo(200);
        // Both compile and warm the upload in the background, before anyone activates it.
        await().atMost(Duration.ofSeconds(30)).until(() -> a.http.get("/v1/rules/versions/" + v, ADMIN_KEY).json().get("ready").asBoolean()
                && b.http.get("/v1/rules/versions/" + v, ADMIN_KEY).json().get("ready").asBoolean());
        long t0 = System.nanoTime();
        assertThat(a.http.postJson("/v1/rules/versions/" + v + "/activate", ADMIN_KEY, "{}").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() -> decide(b.http, "u-" + System.nanoTime()).equals(v + "/shared-one"));
        System.out.println("SHARED activation on A served by B after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertThat(b.http.get("/v1/rules/state", ADMIN_KEY).json().get("active").asText()).isEqualTo(v);
    }

    @Test
    void concurrentRoutingChangesThroughBothInstancesAreOrderedAndNoneIsLost() throws Exception {
        String v1 = upload(a.http, "x");
        String v2 = upload(b.http, "y");
        assertThat(v1).isNotEqualTo(v2);
        long before = a.http.get("/v1/rules/state", ADMIN_KEY).json().get("revision").asLong();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Http.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Http http = i % 2 == 0 ? a.http : b.http;
                String v = i % 2 == 0 ? v1 : v2;
                answers.add(pool.submit(() -> http.postJson("/v1/rules/versions/" + v + "/activate", ADMIN_KEY, "{}")));
            }
            for (Future<Http.Response> f : answers) assertThat(f.get().status()).as(f.get().body()).isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
        // Each instance has applied its own changes when it answers, the other's a moment later (either may be
        // ahead of the other here): all 8 changes arrive on both, and both applied them in the same order.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(a.http.get("/v1/rules/state", ADMIN_KEY).json().get("revision").asLong()).isEqualTo(before + 8);
            assertThat(b.http.get("/v1/rules/state", ADMIN_KEY).json().get("revision").asLong()).isEqualTo(before + 8);
        });
        JsonNode sa = a.http.get("/v1/rules/state", ADMIN_KEY).json();
        assertThat(b.http.get("/v1/rules/state", ADMIN_KEY).json()).isEqualTo(sa);

        // A change based on a revision another change replaced is refused, not applied over it.
        long stale = sa.get("revision").asLong() - 1;
        Http.Response conflict = b.http.postJson("/v1/rules/versions/" + v1 + "/activate", ADMIN_KEY, "{\"expectedRevision\": " + stale + "}");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().get("error").get("code").asText()).isEqualTo("conflict");
        assertThat(conflict.json().get("revision").asLong()).isEqualTo(sa.get("revision").asLong());
        Http.Response current = b.http.postJson("/v1/rules/versions/" + v1 + "/activate", ADMIN_KEY,
                "{\"expectedRevision\": " + sa.get("revision").asLong() + "}");
        assertThat(current.status()).isEqualTo(200);
    }

    @Test
    void aNewInstanceWithAnEmptyDataFolderServesTheSameRulesFromItsFirstRequest() {
        String v = upload(a.http, "boot");
        assertThat(a.http.postJson("/v1/rules/versions/" + v + "/activate", ADMIN_KEY, "{}").status()).isEqualTo(200);
        try (TestServer c = TestServer.peer(a, Map.of())) {
            assertThat(c.http.get("/v1/rules/state", ADMIN_KEY).json().get("active").asText()).isEqualTo(v);
            assertThat(decide(c.http, "fresh")).isEqualTo(v + "/shared-boot");
            assertThat(c.http.get("/v1/rules/versions", ADMIN_KEY).json().get("versions").size())
                    .isEqualTo(a.http.get("/v1/rules/versions", ADMIN_KEY).json().get("versions").size());
        }
    }

    @Test
    void aSingleNodeDataFolderIsMigratedToAnEmptyTopicOnceKeepingItsIds() throws Exception {
        // The files an earlier version kept: v1 (defaults) and v7 active, with v1 in the history.
        Path data = TestServer.newDataDir();
        RuleStore old = new RuleStore(data);
        old.save(new RuleVersion("v1", java.time.Instant.parse("2026-11-01T00:00:00Z"), "built-in default pack", "x",
                Map.of("defaults.drl", "package d; rule \"Old default\" when $p : Placement() then fallback($p).content(\"old\"); end"), List.of("Old default")));
        old.save(new RuleVersion("v7", java.time.Instant.parse("2026-11-02T00:00:00Z"), "old offer", "y",
                Map.of("offer.drl", PACK.formatted("migrated")), List.of("Shared offer")));
        old.save(new RoutingState("v7", null, 0, List.of("v1")));
        try (TestServer migrated = TestServer.start(data, Map.of())) {
            JsonNode state = migrated.http.get("/v1/rules/state", ADMIN_KEY).json();
            assertThat(state.get("active").asText()).isEqualTo("v7");
            assertThat(state.get("history").get(0).asText()).isEqualTo("v1");
            assertThat(decide(migrated.http, "u")).isEqualTo("v7/shared-migrated");
            // Restarted on the same folder (the topic has the state now): nothing is migrated twice.
            int versions = migrated.http.get("/v1/rules/versions", ADMIN_KEY).json().get("versions").size();
            assertThat(versions).isEqualTo(2);
            try (TestServer peer = TestServer.peer(migrated, Map.of())) {
                assertThat(peer.http.get("/v1/rules/versions", ADMIN_KEY).json().get("versions").size()).isEqualTo(2);
            }
        }
        assertThat(Files.exists(data.resolve("rules/state.json"))).isTrue();
    }
}
