package dev.kairos.rules.engine;

import dev.kairos.rules.Adaptation;
import dev.kairos.rules.Context;
import dev.kairos.rules.Device;
import dev.kairos.rules.Location;
import dev.kairos.rules.Placement;
import dev.kairos.rules.Segment;
import dev.kairos.rules.Session;
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
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class CompiledRulesTest {
    static final RuleCompiler compiler = new RuleCompiler(new CompileLimits(1 << 20, 1000, Duration.ofSeconds(30), 50));

    @AfterAll
    static void close() { compiler.close(); }

    static CompiledRules compile(String drl) {
        return compiler.compile("t", new RulePack(List.of(new RuleSource("t.drl", drl)))).orThrow();
    }

    static DecisionInput input(List<Segment> segments, Placement... placements) {
        Context ctx = new Context(Device.UNKNOWN, Location.UNKNOWN, TimeOfDay.of(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC),
                Session.UNKNOWN, null, "/", null, null);
        return new DecisionInput(ctx, Signals.NONE, segments, Weights.DEFAULT, List.of(placements));
    }

    @Test
    void higherPriorityWinsThenSalienceThenRuleName() {
        try (CompiledRules rules = compile("""
                package p;
                rule "B low priority high salience" salience 100 when $p : Placement() then adapt($p).content("b").priority(1); end
                rule "C high priority" when $p : Placement() then adapt($p).content("c").priority(5); end
                rule "A high priority" when $p : Placement() then adapt($p).content("a").priority(5); end
                rule "D high priority more salience" salience 10 when $p : Placement( name == "x" ) then adapt($p).content("d").priority(5); end
                """)) {
            Evaluation e = rules.evaluate(input(List.of(), Placement.named("x"), Placement.named("y")));
            assertThat(e.adaptation("x").getContentId()).isEqualTo("d");
            assertThat(e.adaptation("y").getContentId()).isEqualTo("a");
            PlacementExplanation y = e.explanations().get("y");
            assertThat(y.winner()).isEqualTo("A high priority");
            assertThat(y.candidates()).extracting(Candidate::rule)
                    .containsExactly("A high priority", "C high priority", "B low priority high salience");
            assertThat(y.candidates().get(1).lostBecause()).contains("comes first by name");
            assertThat(y.candidates().get(2).lostBecause()).contains("lower priority (1 < 5)");
        }
    }

    @Test
    void aRuleAnswerBeatsAPackDefaultWhateverItsPriority() {
        try (CompiledRules rules = compile("""
                package p;
                rule "Default" when $p : Placement() then fallback($p).content("default").priority(1000); end
                rule "Specific" when $p : Placement( name == "x" ) then adapt($p).content("specific"); end
                """)) {
            Evaluation e = rules.evaluate(input(List.of(), Placement.named("x"), Placement.named("y")));
            assertThat(e.adaptation("x").getContentId()).isEqualTo("specific");
            assertThat(e.adaptation("x").isFallback()).isFalse();
            assertThat(e.adaptation("y").getContentId()).isEqualTo("default");
            assertThat(e.adaptation("y").isFallback()).isTrue();
        }
    }

    @Test
    void aPlacementNobodyAdaptsGetsTheBuiltInEmptyFallback() {
        try (CompiledRules rules = compile("""
                package p;
                rule "Only x" when $p : Placement( name == "x" ) then adapt($p).content("x"); end
                """)) {
            Adaptation a = rules.evaluate(input(List.of(), Placement.named("nothing_here"))).adaptation("nothing_here");
            assertThat(a.isFallback()).isTrue();
            assertThat(a.getRule()).isNull();
            assertThat(a.getFormat()).isEqualTo("none");
        }
    }

    @Test
    void aCandidateInAFormatThePlacementCannotRenderLosesToTheNext() {
        try (CompiledRules rules = compile("""
                package p;
                rule "Popup" when $p : Placement() then adapt($p).format("popup").priority(10); end
                rule "Banner" when $p : Placement() then adapt($p).format("banner").priority(1); end
                """)) {
            Evaluation e = rules.evaluate(input(List.of(), new Placement("x", Set.of("banner"))));
            assertThat(e.adaptation("x").getRule()).isEqualTo("Banner");
            assertThat(e.explanations().get("x").candidates().get(0).lostBecause()).contains("does not render format 'popup'");
        }
    }

    @Test
    void aSuppressionWinsEvenWhereThePlacementListsItsFormats() {
        try (CompiledRules rules = compile("""
                package p;
                rule "Offer" when $p : Placement() then adapt($p).format("banner").priority(10); end
                rule "Fatigue" when $p : Placement() then suppress($p, "tired").priority(100); end
                """)) {
            Evaluation e = rules.evaluate(input(List.of(), new Placement("x", Set.of("banner"))));
            assertThat(e.adaptation("x").getRule()).isEqualTo("Fatigue");
            assertThat(e.adaptation("x").isSuppressed()).isTrue();
        }
    }

    @Test
    void weightsVersionsWithoutANamedWeightKeepTheDefault() {
        Weights w = new Weights("v7", 0.5, 0.3, 0.2, java.util.Map.of("other", 1.0));
        assertThat(w.get("highIntentThreshold")).isEqualTo(0.8);
        assertThat(new Weights("v8", 0.5, 0.3, 0.2, java.util.Map.of("highIntentThreshold", 0.7)).get("highIntentThreshold")).isEqualTo(0.7);
    }

    @Test
    void aLoopingRuleStopsAtTheFiringLimit() {
        try (CompiledRules rules = compile("""
                package p;
                rule "Loop forever" when Segment( name == "loop" ) $p : Placement() then
                    insert(new Segment("loop", null));
                    adapt($p).content("loop");
                end
                """)) {
            Evaluation e = rules.evaluate(input(List.of(Segment.of("loop")), Placement.named("x")));
            assertThat(e.truncated()).isTrue();
            assertThat(e.firedRules().size()).as("firings are bounded by the limit").isBetween(50, 51);
            assertThat(e.adaptation("x").getContentId()).isEqualTo("loop");
        }
    }

    @Test
    void factsARuleInsertsDoNotLeakIntoTheNextEvaluation() {
        try (CompiledRules rules = compile("""
                package p;
                rule "Mark" when $s : Segment( name == "mark" ) then insert(new Segment("seen", null)); end
                rule "Seen before" when Segment( name == "seen" ) $p : Placement() then adapt($p).content("seen"); end
                """)) {
            assertThat(rules.evaluate(input(List.of(Segment.of("mark")), Placement.named("x"))).adaptation("x").getContentId()).isEqualTo("seen");
            for (int i = 0; i < 20; i++) {
                assertThat(rules.evaluate(input(List.of(), Placement.named("x"))).adaptation("x").getContentId()).isNull();
            }
        }
    }

    @Test
    void concurrentEvaluationsGiveEachCallerItsOwnAnswer() throws Exception {
        try (CompiledRules rules = compile("""
                package p;
                rule "Echo segment" when Segment( $n : name ) $p : Placement() then adapt($p).content($n); end
                """)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Boolean>> results = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    results.add(pool.submit(() -> {
                        for (int i = 0; i < 500; i++) {
                            String name = Thread.currentThread().getName() + "-" + i;
                            if (!name.equals(rules.evaluate(input(List.of(Segment.of(name)), Placement.named("x"))).adaptation("x").getContentId())) {
                                return false;
                            }
                        }
                        return true;
                    }));
                }
                for (Future<Boolean> f : results) assertThat(f.get()).isTrue();
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void actionsOutsideAnEvaluationFailClearly() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> dev.kairos.rules.Actions.adapt(Placement.named("x")));
    }
}
