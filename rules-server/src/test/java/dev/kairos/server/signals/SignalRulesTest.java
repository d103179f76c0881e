package dev.kairos.server.signals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.Signals;
import dev.kairos.rules.Weights;
import dev.kairos.rules.input.StoredUser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SignalRulesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long T0 = Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();
    final SignalRules rules = new SignalRules(SignalConfig.defaults());
    final UserState s = new UserState();

    static JsonNode event(String type, String props) {
        try {
            return JSON.readTree("{\"type\": \"" + type + "\", \"sessionId\": \"s1\", \"timestamp\": \"2026-11-23T10:00:00Z\", "
                    + "\"context\": {\"timezone\": \"Europe/Berlin\"}, \"properties\": " + props + "}");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    void at(long offsetMs, String type, String props) {
        rules.apply(s, event(type, props), T0 + offsetMs);
    }

    Signals signalsAt(long offsetMs) {
        return rules.toStored(s, Instant.ofEpochMilli(T0 + offsetMs)).signals().build(Weights.DEFAULT);
    }

    @Test
    void rapidScrollsCountAsABurstOnlyFromTheThirdInARow() {
        at(0, "scroll", "{\"depth\": 0.2, \"rapid\": true}");
        at(100, "scroll", "{\"depth\": 0.3, \"velocity\": 4000}");
        assertThat(signalsAt(200).getRapidScrollBursts()).isZero();
        at(200, "scroll", "{\"depth\": 0.4, \"rapid\": true}");
        at(300, "scroll", "{\"depth\": 0.5, \"rapid\": true}");
        assertThat(signalsAt(400).getRapidScrollBursts()).as("one run of four is one burst").isEqualTo(1);
        at(400, "scroll", "{\"depth\": 0.5, \"velocity\": 100}");
        at(500, "scroll", "{\"depth\": 0.5, \"rapid\": true}");
        at(600, "scroll", "{\"depth\": 0.5, \"rapid\": true}");
        assertThat(signalsAt(700).getRapidScrollBursts()).as("a slow scroll breaks the run").isEqualTo(1);
        at(700, "scroll", "{\"depth\": 0.5, \"rapid\": true}");
        assertThat(signalsAt(800).getRapidScrollBursts()).isEqualTo(2);
    }

    @Test
    void intentScoreFollowsTheWeightedFormula() {
        at(0, "product_view", "{\"productId\": \"p1\", \"category\": \"dresses\"}");
        at(0, "scroll", "{\"depthPx\": 800}");
        Signals sig = signalsAt(30_000);
        assertThat(sig.getRecency()).isCloseTo(0.5, within(1e-9));
        assertThat(sig.getDepth()).isCloseTo(0.8, within(1e-9));
        double expected = 0.4 * 0.5 + 0.3 * 0.8 + 0.3 * sig.getConversionProbability();
        assertThat(sig.getIntentScore()).isCloseTo(expected, within(1e-9));
        assertThat(signalsAt(61_000).getRecency()).isZero();
    }

    @Test
    void cartPurchaseAndFailedPurchasesShapeTheCommerceSignals() {
        at(0, "add_to_cart", "{\"productId\": \"p1\", \"quantity\": 2}");
        at(1_000, "add_to_cart", "{\"productId\": \"p2\"}");
        at(2_000, "remove_from_cart", "{\"productId\": \"p2\"}");
        at(3_000, "purchase_failed", "{}");
        at(4_000, "purchase_failed", "{}");
        Signals sig = signalsAt(10_000);
        assertThat(sig.getCartItems()).isEqualTo(2);
        assertThat(sig.getSecondsSinceCartAdd()).isEqualTo(9);
        assertThat(sig.getFailedPurchasesInRow()).isEqualTo(2);
        at(5_000, "purchase", "{}");
        sig = signalsAt(10_000);
        assertThat(sig.getCartItems()).isZero();
        assertThat(sig.getFailedPurchasesInRow()).isZero();
        assertThat(sig.isPurchasedInSession()).isTrue();
    }

    @Test
    void dwellAccruesToTheCategoryOfEachPageAndCountsTheOpenPage() {
        at(0, "page_view", "{\"category\": \"investigative\"}");
        at(90_000, "page_view", "{\"category\": \"sports\"}");
        at(100_000, "page_view", "{\"category\": \"investigative\"}");
        Signals sig = signalsAt(160_000);
        assertThat(sig.dwellOn("investigative")).isCloseTo(150, within(1e-6));
        assertThat(sig.dwellOn("sports")).isCloseTo(10, within(1e-6));
        assertThat(sig.getDwellSeconds()).isCloseTo(60, within(1e-6));
        assertThat(sig.getPageViews()).isEqualTo(3);
    }

    @Test
    void adTapRateCountsTapsInTheLastMinute() {
        for (int i = 0; i < 4; i++) at(i * 5_000L, "ad_click", "{}");
        assertThat(signalsAt(20_000).getAdTapRate()).isEqualTo(4.0);
        assertThat(signalsAt(70_000).getAdTapRate()).as("taps at 10 s and 15 s are still in the window").isEqualTo(2.0);
        assertThat(signalsAt(76_000).getAdTapRate()).isZero();
    }

    @Test
    void aLongPauseStartsANewSessionAndFoldsTheOldOneIntoHistory() {
        at(0, "page_view", "{}");
        at(10 * 60_000L, "task_created", "{}");
        at(12 * 60_000L, "add_to_cart", "{\"productId\": \"p\"}");
        assertThat(signalsAt(13 * 60_000L).getTasksCreated()).isEqualTo(1);
        StoredUser during = rules.toStored(s, Instant.ofEpochMilli(T0 + 13 * 60_000L));
        assertThat(during.sessionSeconds()).isEqualTo(13 * 60);
        // 2 h later: a new session (the previous ended after 30 min without events)
        s.sessionId = null;
        rules.apply(s, event("page_view", "{}").deepCopy(), T0 + 2 * 3_600_000L);
        Signals sig = signalsAt(2 * 3_600_000L + 1_000);
        assertThat(s.sessions).isEqualTo(2);
        assertThat(sig.getTasksCreated()).isZero();
        assertThat(sig.getCartHistory()).as("the earlier session added to cart").isEqualTo(1);
        assertThat(s.avgSessionSeconds).isCloseTo(12 * 60, within(1e-6));
    }

    @Test
    void productViewsByCategoryOnlyCountTheRecentWindow() {
        at(0, "product_view", "{\"productId\": \"a\", \"category\": \"dresses\"}");
        at(5 * 60_000L, "product_view", "{\"productId\": \"b\", \"category\": \"dresses\"}");
        at(6 * 60_000L, "product_view", "{\"productId\": \"c\", \"category\": \"shoes\"}");
        assertThat(signalsAt(7 * 60_000L).productViewsIn("dresses")).isEqualTo(2);
        assertThat(signalsAt(12 * 60_000L).productViewsIn("dresses")).isEqualTo(1);
        assertThat(signalsAt(12 * 60_000L).getProductViews()).isEqualTo(3);
    }

    @Test
    void peakHoursAreTheUsersBusiestLocalHours() {
        for (int i = 0; i < 6; i++) at(i * 1000L, "page_view", "{}");
        assertThat(signalsAt(10_000).getPeakHours()).containsExactly(11); // 10:00 UTC is 11:00 in Berlin
    }

    @Test
    void mergingAnAnonymousProfileKeepsItsHistory() {
        UserState anon = new UserState();
        anon.userKey = "anon-1";
        rules.apply(anon, event("product_view", "{\"productId\": \"p\", \"category\": \"dresses\"}"), T0);
        rules.apply(anon, event("add_to_cart", "{\"productId\": \"p\"}"), T0 + 1000);
        at(2_000, "page_view", "{}");
        rules.merge(s, anon);
        assertThat(s.cartItems).isEqualTo(1);
        assertThat(s.aliases).contains("anon-1");
        assertThat(signalsAt(3_000).productViewsIn("dresses")).isEqualTo(1);
    }
}
