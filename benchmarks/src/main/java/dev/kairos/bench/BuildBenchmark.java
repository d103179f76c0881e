package dev.kairos.bench;

import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.RuleCompiler;
import org.jeasy.rules.api.Rules;
import org.kie.api.runtime.KieContainer;
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

import java.util.concurrent.TimeUnit;

/**
 * Time to make a rules version servable: Kairos' compile (parse, policy check, plain-DRL
 * KieBase), a KieContainer built the usual way, and Easy Rules' MVEL rule construction.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
@State(Scope.Benchmark)
public class BuildBenchmark {
    @Param({"100", "1000"})
    public String rules;

    private RuleCompiler compiler;

    @Setup(Level.Trial)
    public void setUp() {
        compiler = new RuleCompiler(CompileLimits.DEFAULT);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        compiler.close();
    }

    @Benchmark
    public CompiledRules kairosCompile() {
        CompiledRules r = compiler.compile("bench", Workloads.pack(rules)).orThrow();
        r.close();
        return r;
    }

    @Benchmark
    public KieContainer droolsKieContainer() {
        KieContainer c = DecideBenchmark.commonContainer(rules);
        c.dispose();
        return c;
    }

    @Benchmark
    public Rules easyRulesBuild() {
        return EasyRulesBenchmark.easyRules(Integer.parseInt(rules));
    }
}
