package dev.kairos.rules.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.Weights;
import dev.kairos.rules.input.DecideRequestReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleExplainerTest {
    static final RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT);
    static final RuleExplainer why = new RuleExplainer(compiler, RulePack.defaults());

    @AfterAll
    static void close() { compiler.close(); }

    static DecisionInput input(String json) throws Exception {
        return new DecideRequestReader().read(new ObjectMapper().readTree(json), Weights.DEFAULT, Instant.parse("2026-11-23T12:00:00Z")).input();
    }

    @Test
    void namesTheFirstConditionThatDidNotHoldWithTheValueItSaw() throws Exception {
        // at a restaurant, but at noon in Berlin
        RuleExplainer.Trace t = why.explain(input("""
                {"userId": "u1", "placements": ["home_banner"],
                 "context": {"location": {"placeType": "restaurant"}, "timezone": "Europe/Berlin"}}"""), List.of(), "Evening restaurant offer");
        assertThat(t.fired()).isFalse();
        assertThat(t.failed()).satisfies(f -> {
            assertThat(f.file()).isEqualTo("evening_offers.drl");
            assertThat(f.condition()).isEqualTo("time.hour >= 18");
            assertThat(f.values()).containsEntry("time.hour", 13);
            assertThat(f.line()).isEqualTo(9);
        });
        assertThat(t.describe()).isEqualTo("rule \"Evening restaurant offer\" did not fire: Context( time.hour >= 18 ) "
                + "at evening_offers.drl:9:50 did not hold; the facts had time.hour = 13");
    }

    @Test
    void theFirstFailingConditionWinsEvenWhenLaterOnesWouldFailToo() throws Exception {
        RuleExplainer.Trace t = why.explain(input("""
                {"userId": "u1", "placements": ["product_page"], "context": {"location": {"placeType": "cafe"}}}"""), List.of(), "Evening restaurant offer");
        assertThat(t.failed().condition()).isEqualTo("location.placeType == \"restaurant\"");
        assertThat(t.failed().values()).containsEntry("location.placeType", "cafe");
    }

    @Test
    void showsValuesReadThroughABindingAndPlacementsAsAList() throws Exception {
        RuleExplainer.Trace t = why.explain(input("""
                {"userId": "u1", "placements": ["product_page"], "context": {"page": "/product/42"}, "signals": {"intentScore": 0.5}}"""),
                List.of(), "High intent on a product page: 24-hour premium discount");
        assertThat(t.failed().condition()).isEqualTo("intentScore > $w.get(\"highIntentThreshold\")");
        assertThat(t.failed().values()).containsEntry("intentScore", 0.5).containsEntry("$w.get(\"highIntentThreshold\")", 0.8);

        RuleExplainer.Trace placement = why.explain(input("""
                {"userId": "u1", "placements": ["product_page", "article_summary"], "context": {"location": {"placeType": "restaurant"},
                 "timestamp": "2026-11-23T19:00:00Z"}}"""), List.of(), "Evening restaurant offer");
        assertThat(placement.failed().condition()).isEqualTo("name == \"home_banner\"");
        assertThat(placement.failed().values()).containsEntry("name", List.of("product_page", "article_summary"));
    }

    @Test
    void aRuleThatFiredSaysWhetherItWonOrWhyItLost() throws Exception {
        RuleExplainer.Trace won = why.explain(input("""
                {"userId": "u1", "placements": ["home_banner"], "context": {"location": {"placeType": "restaurant"},
                 "timestamp": "2026-11-23T19:00:00Z"}}"""), List.of(), "Evening restaurant offer");
        assertThat(won.fired()).isTrue();
        assertThat(won.describe()).isEqualTo("rule \"Evening restaurant offer\" fired: it won home_banner");

        RuleExplainer.Trace lost = why.explain(input("""
                {"userId": "u1", "placements": ["home_banner"], "context": {"location": {"placeType": "restaurant"},
                 "timestamp": "2026-11-23T19:00:00Z"}, "signals": {"adTapRate": 4}}"""), List.of(), "Evening restaurant offer");
        assertThat(lost.describe()).startsWith("rule \"Evening restaurant offer\" fired: it lost home_banner: lower priority");
    }

    @Test
    void anUnknownRuleIsAClearError() {
        assertThatThrownBy(() -> why.explain(input("{\"userId\": \"u\", \"placements\": [\"home_banner\"]}"), List.of(), "Nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no rule named 'Nope' in the pack");
    }

    @Test
    void aConditionalElementIsNamedWhole() throws Exception {
        RulePack pack = new RulePack(List.of(new RuleSource("vip.drl", """
                package acme;
                rule "VIP banner"
                when
                    Context( device.type == "mobile" )
                    exists Segment( name == "vip" )
                    $p : Placement( name == "home_banner" )
                then
                    adapt($p).content("vip");
                end
                """)));
        RuleExplainer.Trace t = new RuleExplainer(compiler, pack).explain(input("""
                {"userId": "u1", "placements": ["home_banner"], "context": {"device": {"type": "mobile"}}}"""), List.of(), "VIP banner");
        assertThat(t.failed().element()).isEqualTo("exists Segment( name == \"vip\" )");
        assertThat(t.failed().condition()).isNull();
        assertThat(t.failed().line() + ":" + t.failed().column()).isEqualTo("5:5");
    }
}
