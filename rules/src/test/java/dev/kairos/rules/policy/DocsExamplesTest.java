package dev.kairos.rules.policy;

import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompileResult;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.engine.RuleSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The false-positive guard: every DRL example of the docs and the README, and the default pack,
 * passes the allow-list and compiles. And the vocabulary table of the rules guide is the one the
 * check uses.
 */
class DocsExamplesTest {
    static final Path ROOT = Path.of("..");
    static final Pattern BLOCK = Pattern.compile("```drl\\n(.*?)```", Pattern.DOTALL);
    static final RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT);

    @AfterAll
    static void close() { compiler.close(); }

    record Example(String where, String drl) {
        @Override public String toString() { return where; }
    }

    static Stream<Example> examples() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<Example> out = new ArrayList<>();
        for (Path file : files) {
            String text = Files.readString(file);
            Matcher m = BLOCK.matcher(text);
            while (m.find()) {
                int line = (int) text.substring(0, m.start()).lines().count() + 1;
                out.add(new Example(ROOT.relativize(file) + ":" + line, m.group(1)));
            }
        }
        return out.stream();
    }

    /** A whole rule as it is; conditions or actions alone inside a rule that gives them what they use. */
    static String asPack(String block) {
        if (block.contains("rule \"")) return block.contains("package ") ? block : "package docs.example;\n" + block;
        boolean actions = block.lines().map(String::strip).anyMatch(l -> l.matches("(adapt|suppress|fallback|insert)\\(.*"));
        if (actions) {
            return "package docs.example;\nrule \"Actions of the docs\"\nwhen\n    $p : Placement()\nthen\n" + block + "\nend\n";
        }
        return "package docs.example;\nrule \"Conditions of the docs\"\nwhen\n" + block + "\n    $docsPlacement : Placement()\nthen\n    adapt($docsPlacement);\nend\n";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void everyDrlExampleOfTheDocsCompiles(Example example) {
        CompileResult r = compiler.validate(new RulePack(List.of(new RuleSource("example.drl", asPack(example.drl())))));
        assertThat(r.problems()).as("%s:%n%s", example.where(), example.drl()).isEmpty();
    }

    @Test
    void theDocsHaveDrlExamplesToCheck() throws IOException {
        assertThat(examples().filter(e -> e.where().startsWith("docs/rules-guide.md"))).hasSizeGreaterThanOrEqualTo(8);
        assertThat(examples().filter(e -> e.where().startsWith("README.md"))).isNotEmpty();
    }

    @Test
    void theDefaultPackPassesTheCheck() {
        CompileResult r = compiler.validate(RulePack.defaults());
        assertThat(r.problems()).isEmpty();
        assertThat(r.ruleNames()).hasSizeGreaterThanOrEqualTo(10);
    }

    /**
     * The table between the markers is generated: after changing the vocabulary, run
     * {@code mvn -pl rules test -Dtest=DocsExamplesTest -Dkairos.update-docs=true} to rewrite it.
     */
    @Test
    void theRulesGuideShowsTheVocabularyTheCheckUses() throws IOException {
        Path path = ROOT.resolve("docs/rules-guide.md");
        String guide = Files.readString(path);
        int begin = guide.indexOf("<!-- vocabulary:begin -->\n");
        int end = guide.indexOf("<!-- vocabulary:end -->");
        assertThat(begin).as("markers in docs/rules-guide.md").isNotNegative();
        if (Boolean.getBoolean("kairos.update-docs")) {
            guide = guide.substring(0, begin + "<!-- vocabulary:begin -->\n".length()) + Vocabulary.standard().markdown() + guide.substring(end);
            Files.writeString(path, guide);
            end = guide.indexOf("<!-- vocabulary:end -->");
        }
        assertThat(guide.substring(begin + "<!-- vocabulary:begin -->\n".length(), end))
                .as("docs/rules-guide.md, 'What a rule may use': regenerate it from Vocabulary.standard().markdown()")
                .isEqualTo(Vocabulary.standard().markdown());
    }
}
