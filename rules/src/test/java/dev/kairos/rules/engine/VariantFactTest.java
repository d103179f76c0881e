package dev.kairos.rules.engine;

import dev.kairos.rules.Placement;
import dev.kairos.rules.Variant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.kairos.rules.engine.CompiledRulesTest.compile;
import static dev.kairos.rules.engine.CompiledRulesTest.input;
import static org.assertj.core.api.Assertions.assertThat;

/** Experiment variants as facts, and the holdout's defaults-only evaluation. */
class VariantFactTest {
    static CompiledRules rules;

    @BeforeAll
    static void compileRules() {
        rules = compile("""
                package p;
                rule "Threshold 0.7 banner" when
                    $v : Variant( experiment == "high_intent_threshold", name == "threshold_0_7" )
                    $p : Placement( name == "home_banner" )
                then
                    adapt($p).content("deal").cta($v.param("cta")).priority(5);
                end
                rule "Everyone banner" when $p : Placement( name == "home_banner" ) then adapt($p).content("everyone").priority(1); end
                rule "Default banner" salience -100 when $p : Placement( name == "home_banner" ) then fallback($p).content("default"); end
                """);
    }

    @AfterAll
    static void close() { rules.close(); }

    @Test
    void aRuleMatchingAVariantFiresOnlyForThatVariant() {
        Variant treated = new Variant("high_intent_threshold", "threshold_0_7", Map.of("cta", "Buy at 0.7"));
        Variant control = new Variant("high_intent_threshold", "control", Map.of());
        Evaluation t = rules.evaluate(input(List.of(), Placement.named("home_banner")), List.of(treated), false);
        Evaluation c = rules.evaluate(input(List.of(), Placement.named("home_banner")), List.of(control), false);
        Evaluation none = rules.evaluate(input(List.of(), Placement.named("home_banner")));
        assertThat(t.adaptation("home_banner").getContentId()).isEqualTo("deal");
        assertThat(t.adaptation("home_banner").getCta()).isEqualTo("Buy at 0.7");
        assertThat(c.adaptation("home_banner").getContentId()).isEqualTo("everyone");
        assertThat(none.adaptation("home_banner").getContentId()).isEqualTo("everyone");
    }

    @Test
    void defaultsOnlyLetsOnlyPackDefaultsWinAndSaysWhy() {
        Evaluation e = rules.evaluate(input(List.of(), Placement.named("home_banner"), Placement.named("other")), List.of(), true);
        assertThat(e.adaptation("home_banner").getContentId()).isEqualTo("default");
        assertThat(e.adaptation("home_banner").isFallback()).isTrue();
        assertThat(e.explanations().get("home_banner").why()).isEqualTo("holdout: pack default");
        assertThat(e.explanations().get("home_banner").candidates())
                .filteredOn(c -> !c.fallback()).allSatisfy(c -> assertThat(c.lostBecause()).startsWith("holdout"));
        assertThat(e.adaptation("other").isFallback()).isTrue();
    }

    /** The example of docs/rules-guide.md ("Variant (experiments)"): the threshold comes from the variant's params. */
    @Test
    void theGuidesThresholdExampleUsesTheVariantsParam() {
        try (CompiledRules guide = compile("""
                package p;
                rule "High intent offer (control)"
                when
                    Variant( experiment == "high_intent_threshold", name == "control" )
                    $w : Weights()
                    Signals( intentScore > $w.get("highIntentThreshold") )
                    $p : Placement( name == "product_page" )
                then
                    adapt($p).content("limited-offer").format("popup").cta("Get 10% off now").priority(20);
                end
                rule "High intent offer (threshold from the experiment)"
                when
                    $v : Variant( experiment == "high_intent_threshold", name == "threshold_0_7" )
                    Signals( intentScore > Double.parseDouble($v.param("threshold")) )
                    $p : Placement( name == "product_page" )
                then
                    adapt($p).content("limited-offer").format("popup").cta("Get 10% off now").priority(20);
                end
                """)) {
            Variant control = new Variant("high_intent_threshold", "control", Map.of());
            Variant lower = new Variant("high_intent_threshold", "threshold_0_7", Map.of("threshold", "0.7"));
            DecisionInput at075 = withIntent(0.75);
            assertThat(guide.evaluate(at075, List.of(lower), false).adaptation("product_page").getContentId()).isEqualTo("limited-offer");
            assertThat(guide.evaluate(at075, List.of(control), false).adaptation("product_page").isFallback()).isTrue();
            assertThat(guide.evaluate(withIntent(0.85), List.of(control), false).adaptation("product_page").getContentId()).isEqualTo("limited-offer");
            assertThat(guide.evaluate(withIntent(0.65), List.of(lower), false).adaptation("product_page").isFallback()).isTrue();
        }
    }

    static DecisionInput withIntent(double intent) {
        DecisionInput base = input(List.of(), Placement.named("product_page"));
        dev.kairos.rules.Signals s = dev.kairos.rules.Signals.builder().intentScore(intent).build();
        return new DecisionInput(base.context(), s, base.profile(), base.segments(), base.weights(), base.placements());
    }
}
