package dev.kairos.rules.harness;

import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RulePack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs every scenario file of the default pack as JUnit tests, one test per scenario. */
class DefaultPackScenariosTest {
    static final Path SCENARIOS = Path.of("src/test/scenarios/default");
    static RuleCompiler compiler;
    static CompiledRules rules;

    @BeforeAll
    static void compile() {
        compiler = new RuleCompiler(CompileLimits.DEFAULT);
        rules = compiler.compile("default", RulePack.defaults()).orThrow();
    }

    @AfterAll
    static void close() {
        rules.close();
        compiler.close();
    }

    @TestFactory
    Stream<DynamicContainer> everyScenarioOfTheDefaultPackPasses() throws IOException {
        ScenarioRunner runner = new ScenarioRunner(rules);
        return ScenarioRunner.scenarioFiles(SCENARIOS).stream().map(file ->
                DynamicContainer.dynamicContainer(file.getFileName().toString(),
                        runner.runFile(file).stream().map(result -> DynamicTest.dynamicTest(result.name(),
                                () -> assertThat(result.failures()).as(result.toString()).isEmpty()))));
    }

    @Test
    void everyDrlFileOfTheDefaultPackHasItsScenarioFile() throws IOException {
        List<String> scenarioFiles = ScenarioRunner.scenarioFiles(SCENARIOS).stream().map(p -> p.getFileName().toString()).toList();
        for (var source : RulePack.defaults().sources()) {
            assertThat(scenarioFiles).contains(source.name().replace(".drl", ".yaml"));
        }
        assertThat(scenarioFiles).as("the built-in segment rules have scenarios too").contains("segments.yaml");
    }

    @Test
    void everyRuleOfTheDefaultPackIsExercisedByAScenario() throws IOException {
        java.util.Set<String> fired = new java.util.HashSet<>();
        for (Path file : ScenarioRunner.scenarioFiles(SCENARIOS)) {
            com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper(
                    new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(file.toFile());
            root.get("scenarios").forEach(s -> {
                s.path("expect").forEach(e -> fired.add(e.path("rule").asText()));
                // a rule that only emits triggers wins no placement: a scenario checking triggers and naming it in fired exercises it
                if (s.has("triggers")) s.path("fired").forEach(n -> fired.add(n.asText()));
            });
        }
        assertThat(fired).containsAll(rules.ruleNames());
    }

    @Test
    void aTypoInGivenOrAnUnknownRuleNameFailsTheScenario() throws IOException {
        Path bad = java.nio.file.Files.createTempFile("typo", ".yaml");
        bad.toFile().deleteOnExit();
        java.nio.file.Files.writeString(bad, """
                scenarios:
                  - name: typo
                    given: {context: {locaton: {placeType: restaurant}}}
                    expect: {home_banner: {fallback: true}}
                    notFired: [Evening restaurant ofer]
                """);
        assertThat(new ScenarioRunner(rules).run(bad)).singleElement().satisfies(r -> assertThat(r.failures()).containsExactlyInAnyOrder(
                "no rule named 'Evening restaurant ofer' in the pack",
                "given.context.locaton: unknown field (a typo?); see docs/api.md for the request fields"));
    }

    @Test
    void aScenarioWithAWrongExpectationFails() throws IOException {
        Path bad = java.nio.file.Files.createTempFile("bad", ".yaml");
        bad.toFile().deleteOnExit();
        java.nio.file.Files.writeString(bad, """
                scenarios:
                  - name: wrong tone
                    given: {context: {location: {placeType: restaurant}, timezone: UTC, timestamp: "2026-11-23T19:00:00Z"}}
                    expect:
                      home_banner: {rule: Evening restaurant offer, tone: formal}
                """);
        List<ScenarioResult> results = new ScenarioRunner(rules).run(bad);
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.passed()).isFalse();
            assertThat(r.failures()).containsExactly("home_banner.tone: expected \"formal\" but was \"casual\" (rule: Evening restaurant offer)");
        });
    }
}
