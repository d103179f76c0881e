package dev.kairos.feedback.kpi;

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

import static dev.kairos.feedback.support.TestService.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code GET /v1/kpis} over HTTP on a real service. */
class KpiApiTest {
    static final Instant T = Instant.parse("2026-11-02T12:00:00Z");
    static final String WINDOW = "from=2026-11-01T00:00:00Z&to=2026-11-08T00:00:00Z";
    static TestService service;

    @BeforeAll
    static void start() {
        service = TestService.start();
        // Rule "Evening offer": 100 shown, 10 clicked (high intent), 5 dismissed; variant A for the first 50 users.
        // Rule "Default banner" (fallback): 20 shown, nothing else.
        List<DecisionRow> decisions = new ArrayList<>();
        List<OutcomeRow> outcomes = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            boolean offer = i < 100;
            String id = "d-" + i, user = "u-" + i, rule = offer ? "Evening offer" : "Default banner";
            double intent = i < 10 ? 0.9 : 0.3;
            decisions.add(new DecisionRow(id, T.toEpochMilli(), user, null, "v1", "default", false, i < 50 ? "A" : "B", intent,
                    0.5, 0.5, 0.5, null, List.of(rule), List.of(new DecisionRow.PlacementRow("home_banner", rule, "c", !offer)), List.of()));
            outcomes.add(outcome(id, user, "impression"));
            if (i < 10) outcomes.add(outcome(id, user, "click"));
            if (i >= 10 && i < 15) outcomes.add(outcome(id, user, "dismiss"));
        }
        service.store().saveDecisions(decisions);
        service.store().saveOutcomes(outcomes);
    }

    static OutcomeRow outcome(String id, String user, String type) {
        return new OutcomeRow(OutcomeRow.keyOf(null, id, "home_banner", type), id, "home_banner", type, user, null, null,
                T.toEpochMilli(), T.toEpochMilli());
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void reportsCountsRatesWithIntervalsAndIntentAccuracyPerRule() {
        Http.Response r = service.http.get("/v1/kpis?" + WINDOW + "&groupBy=rule", ADMIN_KEY);
        assertThat(r.status()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.get("groupBy").asText()).isEqualTo("rule");
        assertThat(body.get("from").asText()).isEqualTo("2026-11-01T00:00:00Z");
        JsonNode total = body.get("total");
        assertThat(total.get("impressions").asLong()).isEqualTo(120);
        assertThat(total.get("clicks").asLong()).isEqualTo(10);

        JsonNode offer = body.get("groups").get(0);
        assertThat(offer.get("key").asText()).isEqualTo("Evening offer");
        assertThat(offer.get("impressions").asLong()).isEqualTo(100);
        assertThat(offer.get("dismisses").asLong()).isEqualTo(5);
        JsonNode ctr = offer.get("ctr");
        assertThat(ctr.get("value").asDouble()).isEqualTo(0.1);
        assertThat(ctr.get("low").asDouble()).isCloseTo(0.0552, within(1e-4));
        assertThat(ctr.get("high").asDouble()).isCloseTo(0.1744, within(1e-4));
        assertThat(ctr.get("n").asLong()).isEqualTo(100);
        assertThat(offer.get("microConversionRate").get("value").asDouble()).isEqualTo(0.1);
        assertThat(offer.get("friction").get("value").asDouble()).isEqualTo(0.05);
        JsonNode accuracy = offer.get("intentAccuracy");
        assertThat(accuracy.get("auc").asDouble()).isEqualTo(1.0);
        assertThat(accuracy.get("precision").get("value").asDouble()).isEqualTo(1.0);
        assertThat(accuracy.get("recall").get("value").asDouble()).isEqualTo(1.0);

        JsonNode fallback = body.get("groups").get(1);
        assertThat(fallback.get("key").asText()).isEqualTo("Default banner");
        assertThat(fallback.get("friction").get("n").asLong()).isZero();
        assertThat(fallback.get("friction").get("value").isNull()).isTrue();
    }

    @Test
    void groupsByVariantAndCountsNothingOutsideTheWindow() {
        JsonNode byVariant = service.http.get("/v1/kpis?" + WINDOW + "&groupBy=variant", ADMIN_KEY).json();
        assertThat(byVariant.get("groups")).extracting(g -> g.get("key").asText()).containsExactly("B", "A");
        assertThat(byVariant.get("groups").get(1).get("clicks").asLong()).isEqualTo(10);

        JsonNode before = service.http.get("/v1/kpis?from=2026-10-01T00:00:00Z&to=2026-11-02T12:00:00Z", ADMIN_KEY).json();
        assertThat(before.get("total").get("impressions").asLong()).isZero();
        assertThat(before.get("groups")).isEmpty();
    }

    @Test
    void reportsKpisPerGroupAndDayAndDrawsThemAsSvg() {
        JsonNode series = service.http.get("/v1/kpis/series?" + WINDOW + "&groupBy=rule&interval=day", ADMIN_KEY).json();
        assertThat(series.get("interval").asText()).isEqualTo("day");
        JsonNode offer = series.get("groups").get(0);
        assertThat(offer.get("key").asText()).isEqualTo("Evening offer");
        assertThat(offer.get("points")).hasSize(1);
        assertThat(offer.get("points").get(0).get("t").asText()).isEqualTo("2026-11-02T00:00:00Z");
        assertThat(offer.get("points").get(0).get("ctr").asDouble()).isEqualTo(0.1);

        Http.Response svg = service.http.get("/v1/charts/ctr.svg?" + WINDOW + "&groupBy=rule", ADMIN_KEY);
        assertThat(svg.status()).isEqualTo(200);
        assertThat(svg.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("image/svg+xml"));
        assertThat(svg.body()).contains("data-name=\"Evening offer\"").contains("data-name=\"Default banner\"");
        assertThat(service.http.get("/v1/charts/impressions.svg?" + WINDOW, ADMIN_KEY).body()).contains("<rect");
        assertThat(service.http.get("/v1/charts/ctr.svg", null).status()).isEqualTo(401);
    }

    @ParameterizedTest
    @CsvSource({
            "/v1/kpis/series?interval=week, invalid_value, interval",
            "/v1/kpis/series?interval=hour&from=2026-01-01T00:00:00Z&to=2026-11-01T00:00:00Z, too_many_points, interval",
            "/v1/charts/ctr.svg?groupBy=colour, invalid_value, groupBy"})
    void rejectsInvalidSeriesParameters(String path, String code, String field) {
        Http.Response r = service.http.get(path, ADMIN_KEY);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("code").asText()).isEqualTo(code);
        assertThat(r.json().get("error").get("field").asText()).isEqualTo(field);
    }

    @ParameterizedTest
    @CsvSource({
            "groupBy=colour, invalid_value, groupBy",
            "from=yesterday, invalid_value, from",
            "to=2026-13-01T00:00:00Z, invalid_value, to",
            "from=2026-11-08T00:00:00Z&to=2026-11-01T00:00:00Z, invalid_range, from",
            "from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z, range_too_large, from",
            "from=%2B300000000-01-01T00:00:00Z&to=%2B300000000-01-02T00:00:00Z, out_of_range, to"})
    void rejectsInvalidParametersWithAMachineReadableError(String query, String code, String field) {
        Http.Response r = service.http.get("/v1/kpis?" + query, ADMIN_KEY);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("code").asText()).isEqualTo(code);
        assertThat(r.json().get("error").get("field").asText()).isEqualTo(field);
    }

    @Test
    void needsTheAdminKeyUnderEverySpellingOfThePath() {
        Http.Response missing = service.http.get("/v1/kpis", null);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().get("error").get("code").asText()).isEqualTo("missing_key");
        Http.Response wrong = service.http.get("/v1/kpis", "wk_not_admin");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().get("error").get("code").asText()).isEqualTo("invalid_key");
        assertThat(wrong.body()).doesNotContain("wk_not_admin");
        assertThat(service.http.get("//v1/kpis", null).status()).isEqualTo(401);
        assertThat(service.http.get("/%761/kpis", null).status()).isEqualTo(401);
    }
}
