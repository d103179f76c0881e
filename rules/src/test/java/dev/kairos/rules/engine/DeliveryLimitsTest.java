package dev.kairos.rules.engine;

import dev.kairos.rules.Context;
import dev.kairos.rules.Exposures;
import dev.kairos.rules.Placement;
import dev.kairos.rules.Profile;
import dev.kairos.rules.Signals;
import dev.kairos.rules.TimeOfDay;
import dev.kairos.rules.Weights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryLimitsTest {
    static final RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT);
    static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    static final String PACK = """
            package acme;
            rule "Winter sale"
                @frequencyCap("3/24h")
                @cooldownAfterDismiss("72h")
            when
                $p : Placement( name == "home_banner" )
            then
                adapt($p).content("winter").priority(50);
            end
            rule "Softer reminder when capped"
            when
                Exposures( impressions("Winter sale", 24) >= 3 )
                $p : Placement( name == "home_banner" )
            then
                adapt($p).content("gentle-reminder").priority(10);
            end
            rule "Default banner" salience -100
            when $p : Placement( name == "home_banner" )
            then fallback($p).content("home");
            end
            """;

    @AfterAll
    static void close() { compiler.close(); }

    static DecisionInput input(List<Exposures.Exposure> seen) {
        Context c = new Context(null, null, TimeOfDay.of(NOW, ZoneOffset.UTC), null, null, null, null, null);
        return new DecisionInput(c, Signals.builder().build(), Profile.NONE.at(NOW), List.of(), Weights.DEFAULT,
                List.of(Placement.named("home_banner")), new Exposures(seen, NOW));
    }

    static Exposures.Exposure ago(Duration d, String type) {
        return new Exposures.Exposure(NOW.minus(d), type, "home_banner", "Winter sale");
    }

    @Test
    void aCappedRuleDoesNotWinTheNextOneDoesAndTheExplanationSaysWhy() {
        try (CompiledRules rules = compiler.compile("t", new RulePack(List.of(new RuleSource("p.drl", PACK)))).orThrow()) {
            assertThat(rules.deliveryLimits()).containsKey("Winter sale");
            List<Exposures.Exposure> two = new ArrayList<>(List.of(ago(Duration.ofHours(1), "impression"), ago(Duration.ofHours(5), "impression"),
                    ago(Duration.ofHours(30), "impression")));
            assertThat(rules.evaluate(input(two)).adaptation("home_banner").getContentId()).as("2 in 24 h: under the cap").isEqualTo("winter");

            List<Exposures.Exposure> three = new ArrayList<>(two);
            three.add(ago(Duration.ofHours(20), "impression"));
            Evaluation e = rules.evaluate(input(three));
            assertThat(e.adaptation("home_banner").getContentId()).as("capped: the softer variant, which reads the same fact").isEqualTo("gentle-reminder");
            assertThat(e.explanations().get("home_banner").candidates()).anySatisfy(c -> {
                assertThat(c.rule()).isEqualTo("Winter sale");
                assertThat(c.lostBecause()).isEqualTo("suppressed: frequencyCap 3/24h (3 impressions in the last 24h)");
            });
        }
    }

    @Test
    void aDismissedRuleCoolsDownThenComesBack() {
        String pack = PACK.replace("rule \"Softer reminder when capped\"", "rule \"Unused\"").replace("Exposures( impressions(\"Winter sale\", 24) >= 3 )", "Exposures( getCount() < 0 )");
        try (CompiledRules rules = compiler.compile("t", new RulePack(List.of(new RuleSource("p.drl", pack)))).orThrow()) {
            Evaluation cooling = rules.evaluate(input(List.of(new Exposures.Exposure(Instant.parse("2026-11-23T18:31:40Z"), "dismiss", "home_banner", "Winter sale"))));
            assertThat(cooling.adaptation("home_banner").getContentId()).as("the pack default").isEqualTo("home");
            assertThat(cooling.explanations().get("home_banner").candidates()).anySatisfy(c ->
                    assertThat(c.lostBecause()).isEqualTo("suppressed: cooldownAfterDismiss 72h (dismissed 2026-11-23T18:31:00Z)"));
            Evaluation later = rules.evaluate(input(List.of(ago(Duration.ofHours(73), "dismiss"))));
            assertThat(later.adaptation("home_banner").getContentId()).as("72 h later").isEqualTo("winter");
        }
    }

    @Test
    void exposuresAnswerRulesQuestionsAndBadAnnotationsAreRefused() {
        Exposures x = new Exposures(List.of(ago(Duration.ofHours(1), "impression"), ago(Duration.ofHours(2), "impression"),
                ago(Duration.ofHours(3), "dismiss"), new Exposures.Exposure(NOW.minus(Duration.ofDays(10)), "impression", "cart_recovery", "Other")), NOW);
        assertThat(x.impressions("Winter sale", 24)).isEqualTo(2);
        assertThat(x.impressionsOn("cart_recovery", 24 * 7)).isZero();
        assertThat(x.dismissRate(7)).isEqualTo(0.5);
        assertThat(x.lastDismissOf("Winter sale")).isEqualTo(NOW.minus(Duration.ofHours(3)));
        assertThat(x.lastDismissOf("Other")).isNull();

        CompileResult bad = compiler.validate(new RulePack(List.of(new RuleSource("b.drl", PACK.replace("\"3/24h\"", "\"three a day\"")))));
        assertThat(bad.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.message()).contains("@frequencyCap takes \"N/duration\"");
        });
        assertThat(compiler.validate(new RulePack(List.of(new RuleSource("b.drl", PACK.replace("\"72h\"", "\"0h\""))))).problems())
                .singleElement().extracting(RuleProblem::message).asString().contains("more than 0 and at most 90 days");
    }

    @Test
    void thePacksPlacementAndGlobalCapsLeaveOnlyThePackDefault() {
        String caps = "placements:\n  home_banner: 2/24h\nglobal: 5/7d\n";
        RulePack pack = new RulePack(List.of(new RuleSource("p.drl", PACK), new RuleSource(RulePack.CAPS_FILE, caps)));
        try (CompiledRules rules = compiler.compile("t", pack).orThrow()) {
            assertThat(rules.caps().placements()).containsKey("home_banner");
            List<Exposures.Exposure> one = List.of(new Exposures.Exposure(NOW.minus(Duration.ofHours(3)), "impression", "home_banner", "Other"));
            assertThat(rules.evaluate(input(one)).adaptation("home_banner").getContentId()).isEqualTo("winter");
            List<Exposures.Exposure> two = List.of(new Exposures.Exposure(NOW.minus(Duration.ofHours(3)), "impression", "home_banner", "Other"),
                    new Exposures.Exposure(NOW.minus(Duration.ofHours(4)), "impression", "home_banner", "Other"));
            Evaluation e = rules.evaluate(input(two));
            assertThat(e.adaptation("home_banner").getContentId()).as("placement cap: the pack default").isEqualTo("home");
            assertThat(e.explanations().get("home_banner").candidates()).anySatisfy(c ->
                    assertThat(c.lostBecause()).isEqualTo("suppressed: placement cap home_banner 2/24h (2 impressions)"));
            List<Exposures.Exposure> elsewhere = new ArrayList<>();
            for (int i = 0; i < 5; i++) elsewhere.add(new Exposures.Exposure(NOW.minus(Duration.ofDays(i + 1)), "impression", "cart_recovery", "Other"));
            assertThat(rules.evaluate(input(elsewhere)).explanations().get("home_banner").candidates()).anySatisfy(c ->
                    assertThat(c.lostBecause()).isEqualTo("suppressed: global cap 5/7d (5 impressions)"));
        }
        assertThat(compiler.validate(new RulePack(List.of(new RuleSource("p.drl", PACK), new RuleSource(RulePack.CAPS_FILE,
                "placements:\n  home_banner: lots\nglobl: 5/7d\n")))).problems()).extracting(RuleProblem::message)
                .anySatisfy(m -> assertThat(m).startsWith("placement home_banner: a cap takes"))
                .anySatisfy(m -> assertThat(m).contains("unknown setting 'globl'"));
    }
}
