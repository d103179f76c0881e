package dev.kairos.rules.learn;

import dev.kairos.rules.Adaptation;
import dev.kairos.rules.Context;
import dev.kairos.rules.Placement;
import dev.kairos.rules.Profile;
import dev.kairos.rules.Signals;
import dev.kairos.rules.TimeOfDay;
import dev.kairos.rules.Weights;
import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.engine.RuleSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The contextual bandit behind choose(...): exact propensities, bounded exploration, convergence, holdouts. */
class BanditTest {
    static final RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT);
    static final List<String> ARMS = List.of("ctaA", "ctaB", "ctaC");

    @AfterAll
    static void close() { compiler.close(); }

    /** The hidden truth: low intent clicks A, middling B, high C. */
    static double clickProbability(int arm, double intent) {
        double[] centre = {0.15, 0.5, 0.85};
        return 0.05 + 0.25 * Math.exp(-Math.pow((intent - centre[arm]) / 0.2, 2));
    }

    static double[] x(double intent) {
        // the bandit's features are linear; give it the intent and its square, as Features gives the signals
        return new double[] {1, intent, intent * intent};
    }

    @Test
    void propensitiesAreExactAndSumToOne() {
        Random r = new Random(1);
        Bandit.Model model = new Bandit.Model("p", "m1", ARMS, List.of(new double[] {0.1, 0, 0}, new double[] {0.2, 0, 0}, new double[] {0.05, 0, 0}),
                List.of(10L, 10L, 10L));
        for (double eps : new double[] {0, 0.1, 0.5, 1}) {
            double[] p = Bandit.propensities(model, ARMS, x(0.3), eps);
            assertThat(p[0] + p[1] + p[2]).isCloseTo(1.0, within(1e-12));
            assertThat(p[1]).as("the best arm").isCloseTo(1 - eps + eps / 3, within(1e-12));
            for (int i = 0; i < 200; i++) {
                Bandit.Choice c = Bandit.choose("p", model, ARMS, x(0.3), eps, r.nextDouble(), r.nextDouble());
                assertThat(c.propensity()).isCloseTo(p[c.arm()], within(1e-12));
                assertThat(c.value()).isEqualTo(ARMS.get(c.arm()));
                if (eps == 0) assertThat(c.arm()).isEqualTo(1);
            }
        }
        Bandit.Choice none = Bandit.choose("p", null, ARMS, x(0.3), 0, 0.5, 0.5);
        assertThat(none.value()).as("without a model: the first value").isEqualTo("ctaA");
        assertThat(none.propensity()).isEqualTo(1.0);
        assertThat(none.modelVersion()).isEqualTo("none");
    }

    @Test
    void explorationStaysWithinItsBoundAndTheLearnedPolicyApproachesTheOracle() {
        Random r = new Random(7);
        double eps = 0.1;
        List<Bandit.Sample> log = new ArrayList<>();
        Bandit.Model model = null;
        int explored = 0, decisions = 0;
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 500; i++) {
                double intent = r.nextDouble();
                Bandit.Choice c = Bandit.choose("p", model, ARMS, x(intent), eps, r.nextDouble(), r.nextDouble());
                double reward = r.nextDouble() < clickProbability(c.arm(), intent) ? 1 : 0;
                log.add(new Bandit.Sample(x(intent), c.arm(), reward, c.propensity()));
                if (c.explored()) explored++;
                decisions++;
            }
            model = Bandit.fit("p", "m" + round, ARMS, log, 1.0);
        }
        assertThat((double) explored / decisions).as("exploration share").isCloseTo(eps, within(0.02));
        // the greedy policy's expected click rate against the oracle's, on fresh users
        double learned = 0, oracle = 0, firstArm = 0;
        for (int i = 0; i < 10_000; i++) {
            double intent = r.nextDouble();
            Bandit.Choice c = Bandit.choose("p", model, ARMS, x(intent), 0, 0.5, 0.5);
            learned += clickProbability(c.arm(), intent);
            oracle += Math.max(clickProbability(0, intent), Math.max(clickProbability(1, intent), clickProbability(2, intent)));
            firstArm += clickProbability(0, intent);
        }
        assertThat(learned / oracle).as("learned / oracle").isGreaterThan(0.9);
        assertThat(firstArm / oracle).as("a context-free choice cannot get there").isLessThan(0.75);
    }

    static DecisionInput input(double intent) {
        Instant now = Instant.parse("2026-11-24T12:00:00Z");
        Context c = new Context(null, null, TimeOfDay.of(now, ZoneOffset.UTC), null, null, null, null, null);
        return new DecisionInput(c, Signals.builder().intentScore(intent).build(), Profile.NONE.at(now), List.of(), Weights.DEFAULT,
                List.of(Placement.named("home_banner")));
    }

    static Exploration everything(double eps) {
        return new Exploration() {
            @Override public Bandit.Model model(String point) { return null; }
            @Override public double epsilon(String placement) { return eps; }
        };
    }

    @Test
    void aRuleChoosesInReadableDrlAndTheDecisionCarriesTheChoiceAndAHoldoutNeverExplores() {
        try (CompiledRules rules = compiler.compile("t", new RulePack(List.of(new RuleSource("p.drl", """
                package acme;
                rule "Offer"
                when $p : Placement( name == "home_banner" )
                then adapt($p).content("deals").cta(choose("Order now", "Get 15% off", "See the deals"));
                end
                rule "Default"
                when $p : Placement( name == "home_banner" )
                then fallback($p).content("home").tone(choose("neutral", "warm"));
                end
                """)))).orThrow()) {
            Adaptation fixed = rules.evaluate(input(0.5)).adaptation("home_banner");
            assertThat(fixed.getCta()).as("no model, no exploration: the first value").isEqualTo("Order now");
            assertThat(fixed.getChoices()).singleElement().satisfies(c -> {
                assertThat(c.point()).isEqualTo("Offer#1");
                assertThat(c.propensity()).isEqualTo(1.0);
                assertThat(c.explored()).isFalse();
            });
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < 200; i++) {
                Adaptation a = rules.evaluate(input(0.5), List.of(), false, everything(1.0)).adaptation("home_banner");
                seen.add(a.getCta());
                assertThat(a.getPropensity()).isCloseTo(1 / 3.0, within(1e-12));
                assertThat(a.getChoices().get(0).explored()).isTrue();
            }
            assertThat(seen).containsExactlyInAnyOrder("Order now", "Get 15% off", "See the deals");
            for (int i = 0; i < 50; i++) {
                Adaptation holdout = rules.evaluate(input(0.5), List.of(), true, everything(1.0)).adaptation("home_banner");
                assertThat(holdout.getContentId()).isEqualTo("home");
                assertThat(holdout.getTone()).isEqualTo("neutral");
                assertThat(holdout.getChoices()).singleElement().satisfies(c -> assertThat(c.explored()).isFalse());
            }
        }
    }

    @Test
    void chooseTakesTextsOnly() {
        var result = compiler.compile("t", new RulePack(List.of(new RuleSource("p.drl", """
                package acme;
                rule "Offer"
                when $p : Placement( name == "home_banner" )
                then adapt($p).cta(choose(1, 2));
                end
                """))));
        assertThat(result.ok()).isFalse();
        assertThat(result.problems().toString()).contains("choose(...) takes texts");
    }

    /**
     * NextBestAction: per placement with a learned choice, the value the model expects the most of
     * for this user's context, as a fact rules can use; computed only for packs that name it.
     */
    @Test
    void theNextBestActionIsTheValueTheModelExpectsMostOfForThisContext() {
        // rewards by intent: "calm" for low intent users, "deals" for high intent ones
        Bandit.Model model = new Bandit.Model("Pick#1", "b7", List.of("calm", "deals"),
                List.of(new double[] {0.3, -0.2}, new double[] {0.0, 0.4}), List.of(100L, 100L));
        int[] asked = {0};
        Exploration learned = new Exploration() {
            @Override public Bandit.Model model(String point) { return null; }
            @Override public double epsilon(String placement) { return 0; }
            @Override public java.util.Map<String, List<Bandit.Model>> modelsByPlacement() {
                asked[0]++;
                return java.util.Map.of("home_banner", List.of(model));
            }
        };
        try (CompiledRules rules = compiler.compile("t", new RulePack(List.of(new RuleSource("p.drl", """
                package acme;
                rule "Act on the next best action"
                when
                    $n : NextBestAction( placement == "home_banner", expectedReward > 0.1 )
                    $p : Placement( name == "home_banner" )
                then
                    adapt($p).content($n.getValue()).because("expected " + $n.getExpectedReward());
                end
                """)))).orThrow()) {
            assertThat(rules.evaluate(input(0.1), List.of(), false, learned).adaptation("home_banner").getContentId()).isEqualTo("calm");
            assertThat(rules.evaluate(input(0.9), List.of(), false, learned).adaptation("home_banner").getContentId()).isEqualTo("deals");
            assertThat(rules.evaluate(input(0.5), List.of(), false, Exploration.NONE).adaptation("home_banner").getRule())
                    .as("no model, no fact").isNotEqualTo("Act on the next best action");
        }
        DecisionInput in = input(0.9);
        assertThat(learned.nextBest(in)).singleElement().satisfies(n -> {
            assertThat(n.getValue()).isEqualTo("deals");
            assertThat(n.getExpectedReward()).isCloseTo(0.36, within(1e-9));
            assertThat(n.getPoint()).isEqualTo("Pick#1");
            assertThat(n.getModelVersion()).isEqualTo("b7");
        });
        asked[0] = 0;
        try (CompiledRules plain = compiler.compile("t", new RulePack(List.of(new RuleSource("p.drl", """
                package acme;
                rule "Plain" when $p : Placement() then adapt($p).content("x"); end
                """)))).orThrow()) {
            plain.evaluate(input(0.5), List.of(), false, learned);
            assertThat(asked[0]).as("a pack that does not name NextBestAction does not pay for it").isZero();
        }
    }
}
