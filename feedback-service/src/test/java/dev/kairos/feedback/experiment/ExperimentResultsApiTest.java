package dev.kairos.feedback.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.feedback.store.DecisionRow;
import dev.kairos.feedback.store.OutcomeRow;
import dev.kairos.feedback.support.Http;
import dev.kairos.feedback.support.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.kairos.feedback.support.TestService.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code GET /v1/experiments/results} over HTTP, on variants logged in decisions. */
class ExperimentResultsApiTest {
    static final Instant T = Instant.parse("2026-11-02T12:00:00Z");
    static final String WINDOW = "from=2026-11-01T00:00:00Z&to=2026-11-08T00:00:00Z";
    static TestService service;

    @BeforeAll
    static void start() {
        service = TestService.start(Map.of("kairos.feedback.recalibration.enabled", false));
        // Control A: 100 clicks in 1000; B: 130 in 1000 (p ≈ 0.035); C: 101 in 1000; D: 20 in 100.
        List<DecisionRow> decisions = new ArrayList<>();
        List<OutcomeRow> outcomes = new ArrayList<>();
        add(decisions, outcomes, "A", 1000, 100);
        add(decisions, outcomes, "B", 1000, 130);
        add(decisions, outcomes, "C", 1000, 101);
        add(decisions, outcomes, "D", 100, 20);
        // Two experiments at once on other users: banner_copy (control 100/1000, copy_b 150/1000) and
        // cta_copy (control 100/1000, b 100/1000), each user in both.
        for (int i = 0; i < 2000; i++) {
            String id = "multi-" + i;
            String banner = i < 1000 ? "control" : "copy_b";
            String cta = i % 20 < 10 ? "control" : "b";
            boolean clicked = banner.equals("control") ? i % 10 == 0 : (i - 1000) < 150;
            decisions.add(new DecisionRow(id, T.toEpochMilli(), "u" + id, null, "v1", "default", false, "banner_copy:" + banner, 0.5, 0.5,
                    0.5, 0.5, null, List.of("R"), List.of(new DecisionRow.PlacementRow("home_banner", "R", "c", false)), List.of(),
                    Map.of("banner_copy", banner, "cta_copy", cta)));
            outcomes.add(new OutcomeRow(id + "/i", id, "home_banner", "impression", "u" + id, null, null, T.toEpochMilli(), T.toEpochMilli()));
            if (clicked) outcomes.add(new OutcomeRow(id + "/c", id, "home_banner", "click", "u" + id, null, null, T.toEpochMilli(), T.toEpochMilli()));
        }
        service.store().saveDecisions(decisions);
        service.store().saveOutcomes(outcomes);
    }

    static void add(List<DecisionRow> decisions, List<OutcomeRow> outcomes, String variant, int shown, int clicked) {
        for (int i = 0; i < shown; i++) {
            String id = variant + "-" + i;
            decisions.add(new DecisionRow(id, T.toEpochMilli(), "u" + id, null, "v1", "default", false, variant, 0.5, 0.5, 0.5, 0.5,
                    null, List.of("R"), List.of(new DecisionRow.PlacementRow("home_banner", "R", "c", false)), List.of()));
            outcomes.add(new OutcomeRow(id + "/i", id, "home_banner", "impression", "u" + id, null, null, T.toEpochMilli(), T.toEpochMilli()));
            if (i < clicked) outcomes.add(new OutcomeRow(id + "/c", id, "home_banner", "click", "u" + id, null, null, T.toEpochMilli(), T.toEpochMilli()));
        }
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void testsEveryVariantAgainstTheControlAndWithholdsVerdictsOnSmallSamples() {
        JsonNode r = service.http.get("/v1/experiments/results?control=A&" + WINDOW, ADMIN_KEY).json();
        assertThat(r.get("metric").asText()).isEqualTo("ctr");
        assertThat(r.get("minSamples").asLong()).isEqualTo(1000);
        Map<String, JsonNode> byName = new java.util.HashMap<>();
        r.get("variants").forEach(v -> byName.put(v.get("variant").asText(), v));
        assertThat(byName.keySet()).containsExactlyInAnyOrder("A", "B", "C", "D");
        assertThat(byName.get("A").get("verdict").asText()).isEqualTo("control");
        assertThat(byName.get("B").get("verdict").asText()).isEqualTo("better");
        assertThat(byName.get("B").get("p").asDouble()).isCloseTo(0.035, within(1e-3));
        assertThat(byName.get("B").get("lift").asDouble()).isCloseTo(0.30, within(1e-9));
        assertThat(byName.get("C").get("verdict").asText()).isEqualTo("no_difference");
        assertThat(byName.get("D").get("verdict").asText()).isEqualTo("too_few_samples");
        assertThat(byName.get("D").get("rate").get("n").asLong()).isEqualTo(100);

        JsonNode lowerBar = service.http.get("/v1/experiments/results?control=A&minSamples=100&" + WINDOW, ADMIN_KEY).json();
        lowerBar.get("variants").forEach(v -> {
            if (v.get("variant").asText().equals("D")) assertThat(v.get("verdict").asText()).isEqualTo("better");
        });
    }

    @Test
    void comparesEachExperimentsVariantsOnlyWithTheirOwnControl() {
        JsonNode r = service.http.get("/v1/experiments/results?control=banner_copy:control&control=cta_copy:control&" + WINDOW, ADMIN_KEY).json();
        JsonNode experiments = r.get("experiments");
        assertThat(experiments).hasSize(2);
        assertThat(experiments.get(0).get("experiment").asText()).isEqualTo("banner_copy");
        assertThat(experiments.get(0).get("control").asText()).isEqualTo("banner_copy:control");
        Map<String, JsonNode> banner = new java.util.HashMap<>();
        experiments.get(0).get("variants").forEach(v -> banner.put(v.get("variant").asText(), v));
        assertThat(banner.keySet()).containsExactlyInAnyOrder("banner_copy:control", "banner_copy:copy_b");
        assertThat(banner.get("banner_copy:copy_b").get("verdict").asText()).isEqualTo("better");
        assertThat(banner.get("banner_copy:copy_b").get("rate").get("n").asLong()).isEqualTo(1000);

        assertThat(experiments.get(1).get("experiment").asText()).isEqualTo("cta_copy");
        Map<String, JsonNode> cta = new java.util.HashMap<>();
        experiments.get(1).get("variants").forEach(v -> cta.put(v.get("variant").asText(), v));
        assertThat(cta.keySet()).containsExactlyInAnyOrder("cta_copy:control", "cta_copy:b");
        // Every user is in both experiments, so each of cta_copy's groups has all 2000 split in two.
        assertThat(cta.get("cta_copy:b").get("rate").get("n").asLong()).isEqualTo(1000);
        assertThat(cta.get("cta_copy:b").get("verdict").asText()).isEqualTo("no_difference");

        // The single-experiment fields repeat the first experiment.
        assertThat(r.get("control").asText()).isEqualTo("banner_copy:control");
        assertThat(r.get("variants")).isEqualTo(experiments.get(0).get("variants"));
    }

    @Test
    void oneControlPerExperiment() {
        Http.Response r = service.http.get("/v1/experiments/results?control=banner_copy:control&control=banner_copy:copy_b&" + WINDOW, ADMIN_KEY);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("field").asText()).isEqualTo("control");
    }

    @ParameterizedTest
    @CsvSource({
            "metric=ctr, missing_field, control",
            "control=A&metric=revenue, invalid_value, metric",
            "control=A&minSamples=10, invalid_value, minSamples",
            "control=A&minSamples=many, invalid_value, minSamples",
            "control=Z, unknown_variant, control"})
    void rejectsInvalidParameters(String query, String code, String field) {
        Http.Response r = service.http.get("/v1/experiments/results?" + query + "&" + WINDOW, ADMIN_KEY);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("code").asText()).isEqualTo(code);
        assertThat(r.json().get("error").get("field").asText()).isEqualTo(field);
    }
}
