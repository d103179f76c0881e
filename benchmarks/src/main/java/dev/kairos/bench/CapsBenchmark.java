package dev.kairos.bench;

import dev.kairos.rules.Exposures;
import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.engine.Evaluation;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.engine.RuleSource;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cost of frequency caps and cool-downs per decision: the default pack and workload with
 * every rule carrying {@code @frequencyCap} and {@code @cooldownAfterDismiss} and each user
 * bringing a full history of {@link Exposures#MAX} exposures ({@code caps=on}), against the same
 * pack without them and users without history ({@code caps=off}).
 * <pre>benchmarks/run-jmh.sh CapsBenchmark</pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class CapsBenchmark {
    @Param({"off", "on"})
    public String caps;

    private RuleCompiler compiler;
    private CompiledRules rules;
    private DecisionInput[] inputs;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        compiler = new RuleCompiler(CompileLimits.DEFAULT);
        List<RuleSource> sources = new ArrayList<>();
        for (RuleSource s : RulePack.defaults().sources()) {
            String drl = s.drl().replaceAll("@frequencyCap\\(\"[^\"]*\"\\)|@cooldownAfterDismiss\\(\"[^\"]*\"\\)", "");
            if (caps.equals("on")) drl = drl.replaceAll("(?m)^(rule \"[^\"]+\")$", "$1\n    @frequencyCap(\"1000/24h\")\n    @cooldownAfterDismiss(\"72h\")");
            sources.add(new RuleSource(s.name(), drl));
        }
        rules = compiler.compile("bench", new RulePack(sources)).orThrow();
        if (caps.equals("on") && rules.deliveryLimits().size() < 10) throw new IllegalStateException("caps were not applied: " + rules.deliveryLimits());
        DecisionInput[] base = Workloads.inputs("default");
        inputs = new DecisionInput[base.length];
        for (int i = 0; i < base.length; i++) {
            DecisionInput in = base[i];
            Exposures exposures = Exposures.NONE.at(in.context().getTime().getInstant());
            if (caps.equals("on")) {
                List<Exposures.Exposure> seen = new ArrayList<>();
                for (int k = 0; k < Exposures.MAX; k++) {
                    seen.add(new Exposures.Exposure(in.context().getTime().getInstant().minus(Duration.ofHours(k)), k % 4 == 0 ? "dismiss" : "impression",
                            "home_banner", "Some other rule " + (k % 7)));
                }
                exposures = new Exposures(seen, in.context().getTime().getInstant());
            }
            inputs[i] = new DecisionInput(in.context(), in.signals(), in.profile(), in.segments(), in.weights(), in.placements(), exposures);
        }
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
        return rules.evaluate(in);
    }
}
