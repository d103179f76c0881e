package dev.kairos.feedback.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.feedback.store.DecisionRow;
import dev.kairos.feedback.support.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.kairos.feedback.support.TestService.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /v1/rules-versions} over HTTP: versions per day from the decision log, canary traffic marked. */
class RulesVersionsApiTest {
    static final Instant DAY1 = Instant.parse("2026-11-02T10:00:00Z");
    static final String WINDOW = "from=2026-11-01T00:00:00Z&to=2026-11-08T00:00:00Z";
    static TestService service;

    @BeforeAll
    static void start() {
        service = TestService.start(Map.of("kairos.feedback.recalibration.enabled", false));
        List<DecisionRow> d = new ArrayList<>();
        // Day 1: v1 stable (8), v2 canary (2). Day 2: v2 promoted (10 stable). Day 3: v2 stable (9), v3 canary (1).
        add(d, "v1", false, DAY1, 8);
        add(d, "v2", true, DAY1, 2);
        add(d, "v2", false, DAY1.plus(Duration.ofDays(1)), 10);
        add(d, "v2", false, DAY1.plus(Duration.ofDays(2)), 9);
        add(d, "v3", true, DAY1.plus(Duration.ofDays(2)), 1);
        add(d, "v0", false, Instant.parse("2026-10-20T10:00:00Z"), 5); // outside the window
        service.store().saveDecisions(d);
    }

    static void add(List<DecisionRow> decisions, String version, boolean canary, Instant at, int n) {
        for (int i = 0; i < n; i++) {
            decisions.add(new DecisionRow(version + "-" + canary + "-" + at + "-" + i, at.toEpochMilli() + i, "u" + i, null, version,
                    "default", canary, null, 0.5, 0.5, 0.5, 0.5, null, List.of(), List.of(), List.of()));
        }
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void countsDecisionsPerVersionAndDayAndMarksTheCanary() {
        JsonNode r = service.http.get("/v1/rules-versions?" + WINDOW, ADMIN_KEY).json();
        List<String> days = new ArrayList<>();
        r.get("days").forEach(d -> days.add(d.get("day").asText() + " " + d.get("rulesVersion").asText() + " "
                + (d.get("canary").asBoolean() ? "canary" : "stable") + " " + d.get("decisions").asLong()));
        assertThat(days).containsExactly("2026-11-02 v1 stable 8", "2026-11-02 v2 canary 2", "2026-11-03 v2 stable 10",
                "2026-11-04 v2 stable 9", "2026-11-04 v3 canary 1");

        List<String> versions = new ArrayList<>();
        r.get("versions").forEach(v -> versions.add(v.get("rulesVersion").asText() + " " + v.get("decisions").asLong() + "/"
                + v.get("canaryDecisions").asLong() + " " + v.get("firstDay").asText() + ".." + v.get("lastDay").asText()
                + (v.get("canary").asBoolean() ? " canary" : "")));
        assertThat(versions).containsExactly("v2 21/2 2026-11-02..2026-11-04", "v3 1/1 2026-11-04..2026-11-04 canary",
                "v1 8/0 2026-11-02..2026-11-02");
    }

    @Test
    void needsAKeyAndValidatesTheWindow() {
        assertThat(service.http.get("/v1/rules-versions", null).status()).isEqualTo(401);
        assertThat(service.http.get("/v1/rules-versions?from=2026-11-08T00:00:00Z&to=2026-11-01T00:00:00Z", ADMIN_KEY).status())
                .isEqualTo(400);
    }
}
