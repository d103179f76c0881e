package dev.kairos.rules.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class RulesCliTest {
    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = RulesCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void validatePrintsFileLineAndColumnAndExitsOneOnErrors(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("typo.drl"), """
                package my;
                rule "Typo"
                when
                    Context( location.placeTyp == "x" )
                    $p : Placement()
                then
                    adapt($p);
                end
                """);
        Run r = run("validate", dir.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).as("1-based line and column of the misspelled name").contains("typo.drl:4:23: compile: Location has no property 'placeTyp'; did you mean 'placeType'?")
                .contains("1 problem(s)");
    }

    @Test
    void validateListsTheRulesOfAGoodFolder(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ok.drl"), """
                package my;
                rule "Fine" when $p : Placement() then adapt($p).content("x"); end
                """);
        Run r = run("validate", dir.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("OK: 1 files, 1 rules").contains("rule \"Fine\"");
    }

    @Test
    void validatePrintsWarningsButExitsZero(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("warn.drl"), """
                package my;
                rule "Typo in placement"
                when
                    Context( device.type == "Mobile" )
                    $p : Placement( name == "checkout_upsel" )
                then
                    adapt($p).content("x");
                end
                """);
        Run r = run("validate", dir.toString(), "--placements", "checkout_upsell,order_status");
        assertThat(r.exit()).as("warnings do not block").isZero();
        assertThat(r.out()).contains("warn.drl:4:14: warning: \"Mobile\" never matches: device.type is always lower case; write \"mobile\"")
                .contains("warn.drl:5:21: warning: 'checkout_upsel' is not a known placement; did you mean 'checkout_upsell'?")
                .contains("OK: 1 files, 1 rules, 2 warning(s)");
    }

    @Test
    void testRunsScenariosAgainstAFolderAndFailsOnAWrongExpectation(@TempDir Path dir) throws Exception {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        Files.writeString(rules.resolve("ok.drl"), """
                package my;
                rule "Fine" when $p : Placement( name == "slot" ) then adapt($p).content("x"); end
                """);
        Path scenarios = Files.createDirectory(dir.resolve("scenarios"));
        Files.writeString(scenarios.resolve("s.yaml"), """
                scenarios:
                  - name: right
                    expect: {slot: {rule: Fine, contentId: x}}
                  - name: wrong
                    expect: {slot: {contentId: y}}
                """);
        Run r = run("test", scenarios.toString(), "--rules", rules.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("PASS s.yaml :: right").contains("FAIL s.yaml :: wrong").contains("1 passed, 1 failed")
                .contains("the default pack is not included (add --with-defaults to test them together)");
    }

    @Test
    void aFailingScenarioSaysWhyTheExpectedRuleDidNotFire(@TempDir Path dir) throws Exception {
        Path scenarios = Files.createDirectory(dir.resolve("scenarios"));
        Files.writeString(scenarios.resolve("evening.yaml"), """
                scenarios:
                  - name: dinner at a restaurant
                    given:
                      context:
                        location: {placeType: restaurant}
                        timezone: Europe/Berlin
                        timestamp: "2026-11-23T11:30:00Z"
                    expect:
                      home_banner: {rule: Evening restaurant offer}
                """);
        Run r = run("test", scenarios.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("home_banner.rule: expected \"Evening restaurant offer\" but was \"Default home banner\"")
                .contains("why: rule \"Evening restaurant offer\" did not fire: Context( time.hour >= 18 ) at evening_offers.drl:9:50 "
                        + "did not hold; the facts had time.hour = 12");
    }

    @Test
    void withDefaultsTestsTheFolderTogetherWithTheDefaultPack(@TempDir Path dir) throws Exception {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        Files.writeString(rules.resolve("winter.drl"), """
                package my;
                rule "Winter" when $p : Placement( name == "home_banner" ) then adapt($p).content("winter"); end
                """);
        Path scenarios = Files.createDirectory(dir.resolve("scenarios"));
        Files.writeString(scenarios.resolve("s.yaml"), """
                scenarios:
                  - name: a default still answers the product page
                    expect: {home_banner: {contentId: winter}, product_page: {rule: Default product page}}
                """);
        assertThat(run("test", scenarios.toString(), "--rules", rules.toString()).exit()).as("the folder alone has no defaults").isEqualTo(1);
        Run r = run("test", scenarios.toString(), "--rules", rules.toString(), "--with-defaults");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("with the default pack").contains("1 passed, 0 failed");
        assertThat(run("test", scenarios.toString(), "--with-defaults").exit()).as("--with-defaults without --rules").isEqualTo(2);
    }

    @Test
    void testPassesTheDefaultPackScenarios() {
        Run r = run("test", "src/test/scenarios/default");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains(" passed, 0 failed");
    }

    @Test
    void aMissingFolderIsAUsageError() {
        Run r = run("test", "/no/such/folder");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no such file or folder: /no/such/folder").doesNotContain("at java.");
    }

    @Test
    void withoutASubcommandItPrintsUsage() {
        Run r = run();
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("validate").contains("test");
    }
}
