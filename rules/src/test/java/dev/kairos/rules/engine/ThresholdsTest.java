package dev.kairos.rules.engine;

import dev.kairos.rules.Context;
import dev.kairos.rules.Placement;
import dev.kairos.rules.Signals;
import dev.kairos.rules.TimeOfDay;
import dev.kairos.rules.Variant;
import dev.kairos.rules.Weights;
import dev.kairos.rules.cli.RulesCliTestAccess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ThresholdsTest {
    static final RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT);
    static final String RULE = """
            package acme;
            rule "High intent"
            when
                $t : Thresholds()
                Signals( intentScore > $t.get("highIntent") )
                $p : Placement( name == "product_page" )
            then
                adapt($p).content("discount");
            end
            """;

    @AfterAll
    static void close() { compiler.close(); }

    static RulePack pack(String thresholds) {
        return new RulePack(List.of(new RuleSource("intent.drl", RULE), new RuleSource(RulePack.THRESHOLDS_FILE, thresholds)));
    }

    static DecisionInput input(double intent) {
        return new DecisionInput(new Context(null, null, TimeOfDay.of(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC), null, null, null, null, null),
                Signals.builder().intentScore(intent).build(), List.of(), Weights.DEFAULT, List.of(Placement.named("product_page")));
    }

    @Test
    void rulesReadThePacksThresholdsAndAnExperimentVariesThem() {
        try (CompiledRules rules = compiler.compile("t", pack("# the pack's thresholds\nhighIntent: 0.8\ndeepScroll: 0.6\n")).orThrow()) {
            assertThat(rules.thresholds()).isEqualTo(Map.of("highIntent", 0.8, "deepScroll", 0.6));
            assertThat(rules.evaluate(input(0.75)).adaptation("product_page").getContentId()).as("0.75 is under 0.8").isNull();
            assertThat(rules.evaluate(input(0.85)).adaptation("product_page").getContentId()).isEqualTo("discount");
            // users in the variant that lowers the threshold to 0.7
            List<Variant> lower = List.of(new Variant("intent-threshold", "B", Map.of("threshold_highIntent", "0.7")));
            assertThat(rules.evaluate(input(0.75), lower, false).adaptation("product_page").getContentId()).isEqualTo("discount");
            List<Variant> junk = List.of(new Variant("x", "C", Map.of("threshold_highIntent", "lots", "threshold_unknown", "0.1")));
            assertThat(rules.evaluate(input(0.75), junk, false).adaptation("product_page").getContentId()).as("a bad override is ignored").isNull();
        }
    }

    @Test
    void badThresholdsFilesAreProblemsAndUnknownNamesWarnings() {
        CompileResult notNumber = compiler.validate(pack("highIntent: high\n"));
        assertThat(notNumber.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("thresholds.yaml");
            assertThat(p.line()).isEqualTo(1);
            assertThat(p.message()).contains("must be a number");
        });
        assertThat(compiler.validate(pack("- 1\n- 2\n")).problems()).singleElement().extracting(RuleProblem::message).asString().contains("name: number");
        assertThat(compiler.validate(pack("highIntent: [0.8\n")).problems()).singleElement().extracting(RuleProblem::kind).isEqualTo("syntax");

        CompileResult typo = compiler.validate(pack("highIntnt: 0.8\n"));
        assertThat(typo.problems()).isEmpty();
        assertThat(typo.warnings()).singleElement().extracting(RuleProblem::message).asString()
                .startsWith("'highIntent' is not a threshold of this pack; did you mean 'highIntnt'? (thresholds.yaml declares highIntnt)");
    }

    @Test
    void aFolderWithThresholdsValidates(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("intent.drl"), RULE);
        Files.writeString(dir.resolve("thresholds.yaml"), "highIntent: 0.8\n");
        RulePack pack = RulePack.fromDirectory(dir);
        assertThat(pack.drlSources()).extracting(RuleSource::name).containsExactly("intent.drl");
        assertThat(pack.thresholdsSource()).isPresent();
        assertThat(RulesCliTestAccess.run("validate", dir.toString())).startsWith("OK: 2 files, 1 rules");
    }
}
