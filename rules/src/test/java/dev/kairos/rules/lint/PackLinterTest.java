package dev.kairos.rules.lint;

import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompileResult;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.engine.RuleProblem;
import dev.kairos.rules.engine.RuleSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PackLinterTest {
    static final RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT);

    @AfterAll
    static void close() { compiler.close(); }

    static List<RuleProblem> warnings(String drl) {
        return warnings(drl, PackLinter.Known.offline());
    }

    static List<RuleProblem> warnings(String drl, PackLinter.Known known) {
        CompileResult r = compiler.validate(new RulePack(List.of(new RuleSource("w.drl", drl))), known);
        assertThat(r.problems()).as("a warning never makes a pack invalid").isEmpty();
        return r.warnings();
    }

    static String rule(String name, String when, String then) {
        return "rule \"" + name + "\"\nwhen\n" + when + "\nthen\n    " + then + "\nend\n";
    }

    @Test
    void theDefaultPackHasNoWarnings() {
        CompileResult r = compiler.validate(RulePack.defaults());
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void aTextInTheWrongCaseNeverMatches() {
        List<RuleProblem> w = warnings("package p;\n" + rule("Mobile",
                "    Context( device.type == \"Mobile\" )\n    $p : Placement( name == \"home_banner\" )", "adapt($p).tone(\"x\");"));
        assertThat(w).singleElement().satisfies(p -> {
            assertThat(p.toString()).isEqualTo("w.drl:4:14: warning: \"Mobile\" never matches: device.type is always lower case; write \"mobile\"");
        });
    }

    @Test
    void aValueAFieldNeverHasIsNamedWithTheClosestOne() {
        List<RuleProblem> w = warnings("package p;\n" + rule("Night",
                "    Context( time.daypart == \"late_nite\" )\n    $p : Placement( name == \"home_banner\" )", "adapt($p);"));
        assertThat(w).singleElement().extracting(RuleProblem::message).asString()
                .contains("time.daypart is one of afternoon, evening, late_night, morning, night").contains("did you mean \"late_night\"");
    }

    @Test
    void anUnknownPlacementIsNamedWithTheClosestKnownOne() {
        List<RuleProblem> w = warnings("package p;\n" + rule("Typo",
                "    $p : Placement( name == \"in_app_mesage\" )", "adapt($p);"));
        assertThat(w).singleElement().satisfies(p -> {
            assertThat(p.line() + ":" + p.column()).isEqualTo("4:21");
            assertThat(p.message()).startsWith("'in_app_mesage' is not a known placement; did you mean 'in_app_message'?");
        });
        assertThat(warnings("package p;\n" + rule("Mine", "    $p : Placement( name == \"checkout_upsell\" )", "adapt($p);"),
                PackLinter.Known.offline().withPlacements(List.of("checkout_upsell")))).as("a catalog placement is known").isEmpty();
    }

    @Test
    void unknownWeightSignalAndCategoryNamesReadZero() {
        PackLinter.Known known = new PackLinter.Known(Set.of("home_banner"), Set.of("highIntentThreshold"), Set.of("loyaltyScore"), Set.of("dresses"));
        List<RuleProblem> w = warnings("package p;\n" + rule("Names",
                "    $w : Weights()\n    Signals( intentScore > $w.get(\"highIntentTreshold\"), custom(\"loyaltyScor\") > 1, dwellOn(\"shoes\") > 3 )\n"
                        + "    $p : Placement( name == \"home_banner\" )", "adapt($p);"), known);
        assertThat(w).extracting(RuleProblem::message).containsExactly(
                "'highIntentTreshold' is not a known weight; did you mean 'highIntentThreshold'? (a weight nobody publishes reads 0)",
                "'loyaltyScor' is not a known custom signal; did you mean 'loyaltyScore'? (a signal no request sends reads 0)",
                "'shoes' is not a known category (a category no event carries reads 0)");
        assertThat(warnings("package p;\n" + rule("Custom", "    Signals( custom(\"anything\") > 1 )\n    $p : Placement( name == \"home_banner\" )", "adapt($p);")))
                .as("offline, custom signal names are not known: no warning").isEmpty();
    }

    @Test
    void contradictoryConstraintsNeverFire() {
        List<RuleProblem> w = warnings("package p;\n" + rule("Never",
                "    Context( time.hour >= 18 )\n    Context( time.hour < 10 )\n    $p : Placement( name == \"home_banner\" )", "adapt($p);"));
        assertThat(w).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(5);
            assertThat(p.message()).isEqualTo("rule \"Never\" can never fire: time.hour >= 18 and time.hour < 10 cannot all hold");
        });
        assertThat(warnings("package p;\n" + rule("Os", "    Context( device.os == \"ios\", device.os in (\"android\", \"web\") )\n    $p : Placement( name == \"home_banner\" )", "adapt($p);")))
                .singleElement().extracting(RuleProblem::message).asString().contains("can never fire");
        assertThat(warnings("package p;\n" + rule("Range", "    Signals( scrollDepth > 0.6, scrollDepth <= 0.9 )\n    $p : Placement( name == \"home_banner\" )", "adapt($p);")))
                .as("a satisfiable range").isEmpty();
    }

    @Test
    void aRuleAlwaysBeatenByAMoreGeneralHigherRankedRuleIsShadowed() {
        String drl = "package p;\n"
                + rule("General", "    Signals( cartItems > 0 )\n    $p : Placement( name == \"cart_recovery\" )", "adapt($p).content(\"a\").priority(70);")
                + rule("Specific", "    Signals( cartItems > 2, dwellSeconds > 30 )\n    $p : Placement( name == \"cart_recovery\" )", "adapt($p).content(\"b\").priority(60);");
        assertThat(warnings(drl)).singleElement().satisfies(p -> {
            assertThat(p.line()).as("at the shadowed rule").isEqualTo(9);
            assertThat(p.message()).isEqualTo("rule \"Specific\" never wins on placement cart_recovery: whenever it matches, "
                    + "\"General\" matches too and ranks higher (priority 70 > 60)");
        });
        // the specific rule ranked higher is the usual, intended design: no warning
        assertThat(warnings(drl.replace("priority(60)", "priority(80)"))).isEmpty();
    }

    @Test
    void equalPriorityAndSalienceOnOnePlacementIsATie() {
        String drl = "package p;\n"
                + rule("B offer", "    Signals( cartItems > 0 )\n    $p : Placement( name in (\"home_banner\", \"cart_recovery\") )", "adapt($p).content(\"a\").priority(50);")
                + rule("A offer", "    Context( device.type == \"mobile\" )\n    $p : Placement( name == \"home_banner\" )", "adapt($p).content(\"b\").priority(50);");
        assertThat(warnings(drl)).singleElement().satisfies(p -> assertThat(p.message()).isEqualTo(
                "rules \"A offer\" and \"B offer\" can both match placement home_banner with the same priority (50) and salience (0): "
                        + "when they do, \"A offer\" wins only because of its name; give one a higher priority or salience"));
        assertThat(warnings(drl.replace("Context( device.type == \"mobile\" )", "Signals( cartItems == 0 )")))
                .as("rules that exclude each other do not tie").isEmpty();
    }
}
