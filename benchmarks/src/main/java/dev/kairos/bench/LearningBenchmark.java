package dev.kairos.bench;

import dev.kairos.rules.Profile;
import dev.kairos.rules.Signals;
import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.engine.Evaluation;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.engine.RuleSource;
import dev.kairos.rules.learn.Bandit;
import dev.kairos.rules.learn.Exploration;
import dev.kairos.rules.learn.Features;
import dev.kairos.rules.learn.Predictors;
import dev.kairos.rules.learn.Segments;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * What learning adds to a decision, in process, on the default pack and workload:
 * <ul>
 *   <li>{@code decide} with {@code learning=off}: the default pack as is;</li>
 *   <li>{@code learning=choose}: plus a rule whose call to action is {@code choose(...)} among three
 *       values on every home banner, answered by a fitted bandit model with 10 % exploration;</li>
 *   <li>{@code learning=nextBest}: plus a rule that reads {@code NextBestAction} (computed from two
 *       bandit models on two placements) for the cart-recovery placement;</li>
 *   <li>{@code scoreUser}: what rules-server does per known user with learned models: the
 *       predictors' features, conversion and churn scores, and the nearest of 4 segments.</li>
 * </ul>
 * <pre>benchmarks/run-jmh.sh LearningBenchmark</pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class LearningBenchmark {
    @Param({"off", "choose", "nextBest"})
    public String learning;

    private RuleCompiler compiler;
    private CompiledRules rules;
    private DecisionInput[] inputs;
    private Exploration exploration;
    private Predictors.Model conversion, churn;
    private Segments segments;
    private Signals[] signals;
    private Profile profile;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        compiler = new RuleCompiler(CompileLimits.DEFAULT);
        List<RuleSource> sources = new ArrayList<>(RulePack.defaults().sources());
        if (learning.equals("choose")) {
            sources.add(new RuleSource("learn.drl", """
                    package bench.learn;
                    rule "Learned CTA" salience 100
                    when $p : Placement( name == "home_banner" )
                    then adapt($p).content("home-featured").cta(choose("Shop now", "See what's new", "Picked for you")).priority(100);
                    end
                    """));
        } else if (learning.equals("nextBest")) {
            sources.add(new RuleSource("learn.drl", """
                    package bench.learn;
                    rule "Next best in cart recovery" salience 100
                    when $n : NextBestAction( placement == "home_banner" ) $p : Placement( name == "cart_recovery" )
                    then adapt($p).content("cart-reminder").cta($n.getValue()).priority(100);
                    end
                    """));
        }
        rules = compiler.compile("bench", new RulePack(sources)).orThrow();
        inputs = Workloads.inputs("default");
        Random r = new Random(1);
        List<String> arms = List.of("Shop now", "See what's new", "Picked for you");
        List<double[]> coefficients = new ArrayList<>();
        for (int a = 0; a < 3; a++) {
            double[] c = new double[Features.NAMES.size()];
            for (int i = 0; i < c.length; i++) c[i] = r.nextGaussian() * 0.1;
            coefficients.add(c);
        }
        Bandit.Model model = new Bandit.Model("Learned CTA#1", "b1", arms, coefficients, List.of(100L, 100L, 100L));
        Bandit.Model other = new Bandit.Model("Other#1", "b1", arms, coefficients, List.of(100L, 100L, 100L));
        exploration = new Exploration() {
            @Override public Bandit.Model model(String point) { return point.equals(model.point()) ? model : null; }
            @Override public double epsilon(String placement) { return 0.1; }
            @Override public Map<String, List<Bandit.Model>> modelsByPlacement() {
                return Map.of("home_banner", List.of(model), "product_page", List.of(other));
            }
        };
        double[] c = new double[Predictors.NAMES.size()], k = new double[Predictors.NAMES.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = r.nextGaussian();
            k[i] = r.nextGaussian();
        }
        conversion = new Predictors.Model("conversion", "c1", c);
        churn = new Predictors.Model("churn", "k1", k);
        List<double[]> centroids = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            double[] x = new double[Predictors.NAMES.size() - 1];
            for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
            centroids.add(x);
        }
        segments = new Segments("s1", List.of(0, 1, 2, 3), List.of("a", "b", "c", "d"), centroids);
        signals = new Signals[inputs.length];
        for (int i = 0; i < inputs.length; i++) signals[i] = inputs[i].signals();
        profile = new Profile(true, Instant.parse("2026-11-23T00:00:00Z"), null, null, null, 1, 4, Instant.parse("2026-11-23T01:00:00Z"));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rules.close();
        compiler.close();
    }

    @Benchmark
    public Evaluation decide() {
        DecisionInput in = inputs[next];
        next = (next + 1) & (inputs.length - 1);
        return rules.evaluate(in, List.of(), false, exploration);
    }

    @Benchmark
    public String scoreUser() {
        Signals s = signals[next];
        next = (next + 1) & (signals.length - 1);
        double[] x = Predictors.features(s, profile);
        double p = conversion.predict(x) + churn.predict(x);
        return p > 3 ? "" : segments.segmentOf(x);
    }
}
