package dev.kairos.rules.learn;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.Exposures;
import dev.kairos.rules.Profile;
import dev.kairos.rules.Signals;
import dev.kairos.rules.Weights;
import dev.kairos.rules.input.DecideRequestReader;
import dev.kairos.rules.input.StoredUser;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PredictorsTest {
    static final Instant NOW = Instant.parse("2026-12-01T18:00:00Z");

    @Test
    void theFeaturesOfFusedFactsAndOfALoggedDecisionAreTheSame() {
        Signals s = Signals.builder().productViews(4).cartItems(2).cartHistory(5).failedPurchasesInRow(1).pageViews(10).scrollDepth(0.5)
                .purchasedInSession(true).recency(0.75).dwellSeconds(900).build();
        Profile p = new Profile(true, NOW, null, null, null, 2, 7, NOW);
        double[] fused = Predictors.features(s, p);
        // what a decision record logs in its "signals" (DecisionRecord), read back by the feedback service
        Map<String, Double> logged = Map.of("productViews", 4.0, "cartItems", 2.0, "cartHistory", 5.0, "failedPurchasesInRow", 1.0,
                "pageViews", 10.0, "scrollDepth", 0.5, "purchasedInSession", 1.0, "sessions", 7.0, "recency", 0.75, "dwellSeconds", 900.0);
        assertThat(Predictors.features(n -> logged.getOrDefault(n, 0.0))).containsExactly(fused);
        assertThat(fused).hasSize(Predictors.NAMES.size());
        assertThat(fused).containsExactly(1, 0.4, 1, 1, 0.2, 0.5, 0.5, 1, 0.35, 0.75, 1);
    }

    @Test
    void aModelPredictsAProbabilityAndRefusesTheWrongShape() {
        double[] c = new double[Predictors.NAMES.size()];
        c[0] = -2;
        c[Predictors.NAMES.indexOf("cart")] = 4;
        Predictors.Model m = new Predictors.Model("conversion", "c1", c);
        double[] empty = Predictors.features(n -> 0), cart = Predictors.features(n -> n.equals("cartItems") ? 1 : 0);
        assertThat(m.predict(empty)).isCloseTo(1 / (1 + Math.exp(2)), within(1e-12));
        assertThat(m.predict(cart)).isCloseTo(1 / (1 + Math.exp(-2)), within(1e-12));
        assertThatThrownBy(() -> new Predictors.Model("conversion", "c2", new double[] {1})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Predictors.Model("conversion", "c3", new double[Predictors.NAMES.size() - 1])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theChurnPriorFallsWithSessionsAndCartHistory() {
        double newcomer = Predictors.churnPrior(Predictors.features(n -> 0));
        double regular = Predictors.churnPrior(Predictors.features(n -> n.equals("sessions") ? 20 : n.equals("cartHistory") ? 3 : 0));
        assertThat(newcomer).isGreaterThan(0.5);
        assertThat(regular).isLessThan(0.1);
    }

    @Test
    void segmentsPutAUserInTheNearestCluster() {
        int d = Predictors.NAMES.size() - 1;
        double[] low = new double[d], high = new double[d];
        java.util.Arrays.fill(high, 1);
        Segments s = new Segments("s1", List.of(4, 9), List.of("low", "high"), List.of(low, high));
        assertThat(s.segmentOf(Predictors.features(n -> 0))).isEqualTo("ml_4");
        assertThat(s.segmentOf(Predictors.features(n -> 100))).isEqualTo("ml_9");
        assertThatThrownBy(() -> new Segments("s2", List.of(1), List.of("x"), List.of(new double[] {1}))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theBestSendHourIsWhenTheUserEngagedInTheirTimeZoneElseTheirPeakHour() throws Exception {
        Exposures seen = new Exposures(List.of(
                new Exposures.Exposure(Instant.parse("2026-11-28T19:10:00Z"), "click", "home_banner", "R"),
                new Exposures.Exposure(Instant.parse("2026-11-29T19:40:00Z"), "click", "home_banner", "R"),
                new Exposures.Exposure(Instant.parse("2026-11-30T07:00:00Z"), "impression", "home_banner", "R"),
                new Exposures.Exposure(Instant.parse("2026-11-30T08:00:00Z"), "click", "home_banner", "R")), NOW);
        assertThat(seen.bestEngagementHour(ZoneId.of("Europe/Berlin"))).isEqualTo(20);
        assertThat(seen.bestEngagementHour(ZoneId.of("UTC"))).isEqualTo(19);
        assertThat(Exposures.NONE.bestEngagementHour(ZoneId.of("UTC"))).isEqualTo(-1);

        String request = "{\"userId\": \"u\", \"placements\": [\"p\"], \"context\": {\"timezone\": \"Europe/Berlin\"}}";
        DecideRequestReader reader = new DecideRequestReader();
        Signals engaged = reader.read(new ObjectMapper().readTree(request), Weights.DEFAULT, NOW,
                k -> new StoredUser(Signals.builder().peakHours(List.of(9)), Profile.NONE, -1, seen)).input().signals();
        assertThat(engaged.getBestSendHour()).isEqualTo(20);
        Signals active = reader.read(new ObjectMapper().readTree(request), Weights.DEFAULT, NOW,
                k -> new StoredUser(Signals.builder().peakHours(List.of(9, 21)), Profile.NONE, -1, Exposures.NONE)).input().signals();
        assertThat(active.getBestSendHour()).as("no engagement yet: the most active hour").isEqualTo(9);
        Signals unknown = reader.read(new ObjectMapper().readTree(request), Weights.DEFAULT, NOW, k -> null).input().signals();
        assertThat(unknown.getBestSendHour()).isEqualTo(-1);
        Signals sent = reader.read(new ObjectMapper().readTree(
                "{\"userId\": \"u\", \"placements\": [\"p\"], \"signals\": {\"churnRisk\": 0.7, \"bestSendHour\": 6}}"), Weights.DEFAULT, NOW, k -> null)
                .input().signals();
        assertThat(sent.getChurnRisk()).isEqualTo(0.7);
        assertThat(sent.getBestSendHour()).isEqualTo(6);
        assertThatThrownBy(() -> reader.read(new ObjectMapper().readTree(
                "{\"userId\": \"u\", \"placements\": [\"p\"], \"signals\": {\"bestSendHour\": 24}}"), Weights.DEFAULT, NOW, k -> null))
                .hasMessageContaining("bestSendHour");
    }
}
