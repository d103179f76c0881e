package dev.kairos.rules.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.Weights;
import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.engine.FactsCodec;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.engine.RuleSource;
import dev.kairos.rules.input.DecideRequestReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ReplayTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT);

    @AfterAll
    static void close() { compiler.close(); }

    /** A recorded decision line: the facts of {@code request}, and what {@code placement} showed and got. */
    static String line(String id, String request, String placement, String rule, String content, boolean shown, boolean engaged, double propensity)
            throws Exception {
        DecisionInput in = new DecideRequestReader().read(JSON.readTree(request), Weights.DEFAULT, Instant.parse("2026-11-23T12:00:00Z")).input();
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("decisionId", id);
            g.writeFieldName("facts");
            FactsCodec.write(g, in, List.of());
            g.writeArrayFieldStart("placements");
            g.writeStartObject();
            g.writeStringField("placement", placement);
            g.writeStringField("rule", rule);
            g.writeStringField("contentId", content);
            g.writeBooleanField("shown", shown);
            g.writeBooleanField("engaged", engaged);
            g.writeNumberField("propensity", propensity);
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toString();
    }

    static CompiledRules pack(String drl) {
        return compiler.compile("candidate", new RulePack(List.of(new RuleSource("c.drl", drl)))).orThrow();
    }

    @Test
    void countsChangesPerPlacementAndRuleAndExplainsExamples() throws Exception {
        // the candidate shows "winter" on the home banner on mobile, and "generic" elsewhere
        CompiledRules candidate = pack("""
                package c;
                rule "Winter on mobile" when Context( device.type == "mobile" ) $p : Placement( name == "home_banner" )
                then adapt($p).content("winter"); end
                rule "Generic" salience -100 when $p : Placement() then fallback($p).content("generic"); end
                """);
        String mobile = "{\"userId\": \"u\", \"placements\": [\"home_banner\"], \"context\": {\"device\": {\"type\": \"mobile\"}}}";
        String desktop = "{\"userId\": \"u\", \"placements\": [\"home_banner\"], \"context\": {\"device\": {\"type\": \"desktop\"}}}";
        String log = String.join("\n",
                line("d1", mobile, "home_banner", "Old offer", "old", true, true, 1),     // changes to winter; engaged before
                line("d2", mobile, "home_banner", "Winter on mobile", "winter", true, true, 1), // same content
                line("d3", desktop, "home_banner", "Generic", "generic", true, false, 1), // same content
                line("d4", desktop, "home_banner", "Old offer", "old", false, false, 1),  // changes, never shown
                "{\"decisionId\": \"d5\", \"facts\": {\"v\": 99}}");                       // unreadable
        Replay.Report r = new Replay(candidate, 2, 5).run(new BufferedReader(new StringReader(log)), n -> { });
        assertThat(r.replayed()).isEqualTo(4);
        assertThat(r.unreadable()).isEqualTo(1);
        assertThat(r.changed()).isEqualTo(2);
        assertThat(r.placements().get("home_banner")).isEqualTo(new Replay.PlacementCount(4, 2));
        assertThat(r.transitions()).containsEntry("Old offer -> Winter on mobile", 1L).containsEntry("Old offer -> Generic", 1L);
        assertThat(r.examples()).hasSize(2).anySatisfy(x -> {
            assertThat(x.decisionId()).isEqualTo("d1");
            assertThat(x.loggedContent()).isEqualTo("old");
            assertThat(x.candidateContent()).isEqualTo("winter");
            assertThat(x.candidateWhy()).isNotBlank();
        });
        // three shown placements, two engaged: logged CTR 2/3; the candidate keeps d2 (engaged) and d3, changes d1 (engaged: no support)
        assertThat(r.shown()).isEqualTo(3);
        assertThat(r.loggedCtr()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(r.estCtrDelta()).isCloseTo(-1.0 / 3, within(1e-9));
        assertThat(r.overlap()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(r.ciLow()).isLessThan(r.estCtrDelta());
        assertThat(r.resultLine()).isEqualTo("RESULT replayed=4 changed=2 est_ctr_delta=-33.33% ci=[" + String.format(java.util.Locale.ROOT,
                "%+.2f%%,%+.2f%%", r.ciLow() * 100, r.ciHigh() * 100) + "]");
        candidate.close();
    }

    @Test
    void inversePropensityScoringIsUnbiasedWhenTheLogExplored() throws Exception {
        // Logged policy: "a" or "b" at random (propensity 0.5 each); true CTR 0.30 for a, 0.10 for b.
        // The candidate always shows "a": its true CTR is 0.30, the logged one 0.20, so the true change is +0.10.
        CompiledRules candidate = pack("""
                package c;
                rule "Always a" when $p : Placement() then adapt($p).content("a"); end
                """);
        String request = "{\"userId\": \"u\", \"placements\": [\"home_banner\"]}";
        String facts = line("x", request, "home_banner", "r", "a", true, false, 0.5);
        Random random = new Random(42);
        StringBuilder log = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            boolean a = random.nextBoolean();
            boolean engaged = random.nextDouble() < (a ? 0.30 : 0.10);
            log.append(facts.replace("\"contentId\":\"a\"", "\"contentId\":\"" + (a ? "a" : "b") + "\"")
                    .replace("\"engaged\":false", "\"engaged\":" + engaged)).append('\n');
        }
        Replay.Report r = new Replay(candidate, 2, 0).run(new BufferedReader(new StringReader(log.toString())), n -> { });
        assertThat(r.replayed()).isEqualTo(20_000);
        assertThat(r.estCtrDelta()).isCloseTo(0.10, within(0.02));
        assertThat(r.ciLow()).isLessThan(0.10);
        assertThat(r.ciHigh()).isGreaterThan(0.10);
        candidate.close();
    }

    @Test
    void inversePropensityScoringIsUnbiasedWhenExplorationDependedOnContext() throws Exception {
        // Logged policy: "b" for 90 % of mobile users and 10 % of desktop users, "a" otherwise; b is
        // clicked 50 % on mobile, 10 % on desktop; a 20 % everywhere. The candidate always shows b:
        // true CTR 0.30. The CTR seen where b was logged (0.46) is biased by who got it; IPS is not.
        CompiledRules candidate = pack("""
                package c;
                rule "Always b" when $p : Placement() then adapt($p).content("b"); end
                """);
        String mobile = line("x", "{\"userId\": \"u\", \"placements\": [\"home_banner\"], \"context\": {\"device\": {\"type\": \"mobile\"}}}",
                "home_banner", "r", "a", true, false, 0.5);
        String desktop = line("x", "{\"userId\": \"u\", \"placements\": [\"home_banner\"], \"context\": {\"device\": {\"type\": \"desktop\"}}}",
                "home_banner", "r", "a", true, false, 0.5);
        Random random = new Random(7);
        StringBuilder log = new StringBuilder();
        long bShown = 0, bClicked = 0, clicks = 0;
        int n = 40_000;
        for (int i = 0; i < n; i++) {
            boolean isMobile = random.nextBoolean();
            double pb = isMobile ? 0.9 : 0.1;
            boolean b = random.nextDouble() < pb;
            boolean engaged = random.nextDouble() < (b ? (isMobile ? 0.5 : 0.1) : 0.2);
            if (b) {
                bShown++;
                if (engaged) bClicked++;
            }
            if (engaged) clicks++;
            log.append((isMobile ? mobile : desktop).replace("\"contentId\":\"a\"", "\"contentId\":\"" + (b ? "b" : "a") + "\"")
                    .replace("\"engaged\":false", "\"engaged\":" + engaged)
                    .replace("\"propensity\":0.5", "\"propensity\":" + (b ? pb : 1 - pb))).append('\n');
        }
        Replay.Report r = new Replay(candidate, 2, 0).run(new BufferedReader(new StringReader(log.toString())), x -> { });
        double estimated = r.loggedCtr() + r.estCtrDelta();
        assertThat((double) bClicked / bShown).as("the naive estimate").isGreaterThan(0.4);
        assertThat(r.loggedCtr()).isCloseTo((double) clicks / n, within(1e-9));
        assertThat(estimated).isCloseTo(0.30, within(0.02));
        assertThat(r.loggedCtr() + r.ciLow()).isLessThan(0.30);
        assertThat(r.loggedCtr() + r.ciHigh()).isGreaterThan(0.30);
        candidate.close();
    }

    @Test
    void candidateWeightsReplaceTheRecordedOnesAndRecomputeTheIntentScore() throws Exception {
        // The pack shows "premium" above the high-intent threshold. Recorded with the default weights
        // (0.4 recency + 0.3 depth + 0.3 conversion), a deep reader with no recency scores 0.3: "basic".
        // With weights that put everything on depth the same facts score 0.95: "premium".
        CompiledRules pack = pack("""
                package c;
                rule "Premium" when $w : Weights() Signals( intentScore > $w.get("highIntentThreshold") ) $p : Placement()
                then adapt($p).content("premium"); end
                rule "Basic" salience -10 when $p : Placement() then fallback($p).content("basic"); end
                """);
        String deep = line("d1", "{\"userId\": \"u\", \"placements\": [\"home_banner\"], \"signals\": {\"recency\": 0, \"depth\": 0.95, \"conversionProbability\": 0}}",
                "home_banner", "Basic", "basic", true, false, 1);
        Replay.Report same = new Replay(pack, 1, 5).run(new BufferedReader(new StringReader(deep)), x -> { });
        assertThat(same.changed()).isZero();
        Replay.Report reweighed = new Replay(pack, 1, 5, new Weights("w-candidate", 0, 1, 0, java.util.Map.of()))
                .run(new BufferedReader(new StringReader(deep)), x -> { });
        assertThat(reweighed.changed()).isEqualTo(1);
        assertThat(reweighed.examples()).singleElement().satisfies(e -> assertThat(e.candidateContent()).isEqualTo("premium"));
        pack.close();
    }

    @Test
    void aCandidateThatLetsTheBanditChooseAmongTheLoggedValuesChangesNothing() throws Exception {
        // Logged: the bandit picked a, b or c (propensity 1/3 each). Replayed without the bandit's models the
        // candidate's choose(...) would take "a"; it chooses as logged instead: no change, no estimated difference.
        CompiledRules same = pack("""
                package c;
                rule "Pick" when $p : Placement() then adapt($p).content(choose("a", "b", "c")); end
                """);
        String request = "{\"userId\": \"u\", \"placements\": [\"home_banner\"]}";
        String facts = line("x", request, "home_banner", "Pick", "a", true, false, 1 / 3.0);
        Random random = new Random(3);
        StringBuilder log = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            String v = List.of("a", "b", "c").get(random.nextInt(3));
            log.append(facts.replace("\"contentId\":\"a\"", "\"contentId\":\"" + v + "\"")
                    .replace("\"engaged\":false", "\"engaged\":" + (random.nextDouble() < (v.equals("c") ? 0.3 : 0.1)))).append('\n');
        }
        Replay.Report r = new Replay(same, 1, 0).run(new BufferedReader(new StringReader(log.toString())), x -> { });
        assertThat(r.changed()).isZero();
        assertThat(r.estCtrDelta()).isCloseTo(0, within(1e-12));
        assertThat(r.overlap()).isEqualTo(1.0);
        same.close();
    }
}
