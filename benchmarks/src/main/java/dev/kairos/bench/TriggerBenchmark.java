package dev.kairos.bench;

import dev.kairos.rules.Segment;
import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.engine.Evaluation;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RulePack;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cost of cross-channel triggers per decision: the default pack and workload, every user in
 * the {@code abandoned_large_cart} segment ({@code triggers=on}: the pack's reminder-email rule
 * fires and the evaluation carries one trigger) against the same workload without the segment
 * ({@code triggers=off}).
 * <pre>benchmarks/run-jmh.sh TriggerBenchmark</pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class TriggerBenchmark {
    @Param({"off", "on"})
    public String triggers;

    private RuleCompiler compiler;
    private CompiledRules rules;
    private DecisionInput[] inputs;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        compiler = new RuleCompiler(CompileLimits.DEFAULT);
        rules = compiler.compile("bench", RulePack.defaults()).orThrow();
        DecisionInput[] plain = Workloads.inputs("default");
        inputs = new DecisionInput[plain.length];
        for (int i = 0; i < plain.length; i++) {
            DecisionInput in = plain[i];
            List<Segment> segments = new ArrayList<>(in.segments());
            if (triggers.equals("on")) segments.add(Segment.of("abandoned_large_cart"));
            inputs[i] = new DecisionInput(in.context(), in.signals(), in.profile(), segments, in.weights(), in.placements(), in.exposures());
        }
        if (triggers.equals("on") && rules.evaluate(inputs[0]).triggers().isEmpty()) throw new IllegalStateException("no trigger emitted");
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
