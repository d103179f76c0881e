package dev.kairos.bench;

import dev.kairos.rules.Placement;
import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.engine.Evaluation;
import dev.kairos.rules.engine.RuleCompiler;
import org.jeasy.rules.api.Facts;
import org.jeasy.rules.api.Rules;
import org.jeasy.rules.core.DefaultRulesEngine;
import org.jeasy.rules.mvel.MVELRule;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The generated rules on Easy Rules 4.1 with MVEL conditions, beside Kairos in the same run.
 * Each Easy Rules rule tests the same OS, hour, intent and placement as its DRL twin and records
 * {@code placement|content|priority}; the best answer per placement is then picked by priority.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class EasyRulesBenchmark {
    @Param({"100", "1000"})
    public String rules;

    private RuleCompiler compiler;
    private CompiledRules kairos;
    private DefaultRulesEngine engine;
    private Rules easyRules;
    private DecisionInput[] inputs;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        compiler = new RuleCompiler(CompileLimits.DEFAULT);
        kairos = compiler.compile("bench", Workloads.pack(rules)).orThrow();
        easyRules = easyRules(Integer.parseInt(rules));
        engine = new DefaultRulesEngine();
        inputs = Workloads.inputs(rules);
    }

    static Rules easyRules(int n) {
        Rules out = new Rules();
        for (Workloads.GeneratedRule r : Workloads.generated(n)) {
            out.register(new MVELRule().name(r.name()).priority(r.index())
                    .when("ctx.device.os == '" + r.os() + "' && ctx.time.hour >= " + r.fromHour()
                            + " && signals.intentScore > " + r.minIntent() + " && placements.contains('" + r.placement() + "')")
                    .then("hits.add('" + r.placement() + "|" + r.content() + "|" + r.priority() + "')"));
        }
        return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kairos.close();
        compiler.close();
    }

    private DecisionInput nextInput() {
        DecisionInput in = inputs[next];
        next = (next + 1) & (inputs.length - 1);
        return in;
    }

    @Benchmark
    public Evaluation kairos() {
        return kairos.evaluate(nextInput());
    }

    @Benchmark
    public Map<String, String> easyRulesMvel() {
        return easyDecide(engine, easyRules, nextInput());
    }

    static Map<String, String> easyDecide(DefaultRulesEngine engine, Rules rules, DecisionInput in) {
        Set<String> placements = new HashSet<>();
        for (Placement p : in.placements()) placements.add(p.getName());
        List<String> hits = new ArrayList<>();
        Facts facts = new Facts();
        facts.put("ctx", in.context());
        facts.put("signals", in.signals());
        facts.put("placements", placements);
        facts.put("hits", hits);
        engine.fire(rules, facts);
        Map<String, String> best = new HashMap<>();
        for (String h : hits) {
            String[] f = h.split("\\|");
            best.merge(f[0], h, (a, b) -> Integer.parseInt(b.split("\\|")[2]) > Integer.parseInt(a.split("\\|")[2]) ? b : a);
        }
        return best;
    }
}
