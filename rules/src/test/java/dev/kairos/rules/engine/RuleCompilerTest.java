package dev.kairos.rules.engine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RuleCompilerTest {
    static final RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT);

    @AfterAll
    static void close() { compiler.close(); }

    static RulePack pack(String drl) { return new RulePack(List.of(new RuleSource("test.drl", drl))); }

    @Test
    void compilesTheDefaultPack() {
        CompileResult r = compiler.compile("v1", RulePack.defaults());
        assertThat(r.problems()).isEmpty();
        assertThat(r.ruleNames()).contains("Evening restaurant offer", "Default for any other placement");
        try (CompiledRules rules = r.orThrow()) {
            Evaluation e = rules.evaluate(CompiledRulesTest.input(java.util.List.of(), dev.kairos.rules.Placement.named("home_banner")));
            assertThat(e.adaptation("home_banner").getReason()).as("reason defaults to the rule's @description")
                    .isEqualTo("The pack's default banner when no rule matched");
        }
    }

    @Test
    void reportsASyntaxErrorWithLineAndColumn() {
        CompileResult r = compiler.validate(pack("""
                package p;
                rule "broken"
                when
                    Placement( name == "x" 
                then
                end
                """));
        assertThat(r.ok()).isFalse();
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("test.drl");
            assertThat(p.kind()).isEqualTo("syntax");
            assertThat(p.line() + ":" + p.column()).as("right after the last word of the unclosed pattern, not at 'then'").isEqualTo("4:27");
            assertThat(p.message()).isEqualTo("missing ')' to close the '(' at 4:14, before 'then' (in rule \"broken\")");
        });
    }

    @Test
    void everyPositionIsOneBasedAndPointsAtTheOffendingToken() {
        String[][] cases = {
                // DRL, expected line:column, expected message start
                {"package p;\nrule \"r\"\nwhen\n    $p : Placement( name == \"x\" )\nthen\n    adapt($p).tone(\"x\")\nend\n", "6:24", "missing ';' after ')'"},
                {"package p;\nrule \"r\"\nwhen\n    $p : Placement( name = \"x\" )\nthen\n    adapt($p);\nend\n", "4:26", "unexpected '=' in rule \"r\"; compare with '=='"},
                {"package p;\nrule \"r\"\nwhen\n    $p : Placement( name == \"x\" )\nthen\n    adapt($p).tonee(\"x\");\nend\n", "6:15", "AdaptationBuilder has no method 'tonee(...)'"},
                {"package p;\nrule \"r\"\nwhen\n    $p : Placement( nme == \"x\" )\nthen\n    adapt($p);\nend\n", "4:21", "Placement has no property 'nme'"},
                {"package p;\nrule \"r\"\nwhen\n    $p : Placement( name == \"x\" , )\nthen\n    adapt($p);\nend\n", "4:35", "cannot read the text at ')'"},
        };
        for (String[] c : cases) {
            CompileResult r = compiler.validate(pack(c[0]));
            assertThat(r.problems()).as(c[0]).first().satisfies(p -> {
                assertThat(p.line() + ":" + p.column()).as(c[0]).isEqualTo(c[1]);
                assertThat(p.message()).as(c[0]).startsWith(c[2]).doesNotContainPattern("Line \\d+:\\d+");
            });
        }
    }

    @Test
    void reportsAnUnknownFieldWithItsLine() {
        CompileResult r = compiler.validate(pack("""
                package p;

                rule "typo"
                when
                    Context( location.placeTyp == "restaurant" )
                    $p : Placement()
                then
                    adapt($p).tone("casual");
                end
                """));
        assertThat(r.ok()).isFalse();
        assertThat(r.problems()).anySatisfy(p -> {
            assertThat(p.kind()).isEqualTo("compile");
            assertThat(p.line()).isEqualTo(5);
            assertThat(p.column()).as("1-based column of the misspelled name").isEqualTo(23);
            assertThat(p.message()).contains("placeTyp").contains("did you mean 'placeType'");
        });
    }

    @Test
    void rejectsImportsOutsideTheFactModel() {
        CompileResult r = compiler.validate(pack("""
                package p;
                import java.io.File;
                rule "r" when $p : Placement() then adapt($p); end
                """));
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo("forbidden");
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.message()).contains("java.io.File");
        });
    }

    @Test
    void rejectsSystemExitAndQualifiedNamesInConsequences() {
        CompileResult r = compiler.validate(pack("""
                package p;
                rule "r" when $p : Placement() then
                    System.exit(1);
                    new java.net.Socket("example.org", 80);
                end
                """));
        assertThat(r.problems()).extracting(RuleProblem::line).contains(3, 4);
        assertThat(r.problems()).allSatisfy(p -> assertThat(p.kind()).isEqualTo("forbidden"));
    }

    @Test
    void allowsForbiddenWordsInsideStringsAndComments() {
        CompileResult r = compiler.validate(pack("""
                package p;
                // System.exit is mentioned here, harmlessly
                rule "Mentions System in text" when $p : Placement() then adapt($p).cta("System.exit(0) is just text"); end
                """));
        assertThat(r.problems()).isEmpty();
    }

    @Test
    void rejectsAPackOverTheSizeLimit() {
        try (RuleCompiler small = new RuleCompiler(new CompileLimits(100, 10, Duration.ofSeconds(5), 10))) {
            CompileResult r = small.validate(RulePack.defaults());
            assertThat(r.problems()).singleElement().satisfies(p -> {
                assertThat(p.kind()).isEqualTo("limit");
                assertThat(p.message()).contains("limit is 100");
            });
        }
    }

    @Test
    void rejectsAPackWithTooManyRules() {
        try (RuleCompiler small = new RuleCompiler(new CompileLimits(1 << 20, 3, Duration.ofSeconds(5), 10))) {
            CompileResult r = small.validate(RulePack.defaults());
            assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.message()).contains("the limit is 3"));
        }
    }

    @Test
    void stopsWaitingForACompilationThatExceedsTheTimeLimit() {
        StringBuilder drl = new StringBuilder("package p;\n");
        for (int i = 0; i < 300; i++) {
            drl.append("rule \"r").append(i).append("\" when $p : Placement( name == \"p").append(i)
                    .append("\" ) then adapt($p).tone(\"t").append(i).append("\"); end\n");
        }
        try (RuleCompiler slow = new RuleCompiler(new CompileLimits(1 << 20, 5000, Duration.ofMillis(1), 10))) {
            CompileResult r = slow.compile("v", pack(drl.toString()));
            assertThat(r.ok()).isFalse();
            assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.message()).contains("compilation took longer"));
        }
    }
}
