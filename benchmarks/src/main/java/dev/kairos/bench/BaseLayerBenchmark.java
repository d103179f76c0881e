package dev.kairos.bench;

import dev.kairos.rules.BaseItem;
import dev.kairos.rules.Placement;
import dev.kairos.rules.engine.BaseLayer;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The cost of the Tier-1 base layer per decision: the default pack (whose "Tier-1 pick" rule
 * matches base items) and workload with a full layer ({@code base=on}: for each of the default
 * pack's placements 5 feed items and 5 popular items for everyone and 5 for each of 3 segments,
 * the most the layer keeps, so 20 facts per placement) against no base items ({@code base=off}), and
 * the same layer with a pack no rule of which names {@code BaseItem} ({@code base=fill}: the items
 * only fill placements, nothing is inserted into the session).
 * <pre>benchmarks/run-jmh.sh BaseLayerBenchmark</pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class BaseLayerBenchmark {
    @Param({"off", "on", "fill"})
    public String base;

    private RuleCompiler compiler;
    private CompiledRules rules;
    private DecisionInput[] inputs;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        compiler = new RuleCompiler(CompileLimits.DEFAULT);
        RulePack pack = RulePack.defaults();
        if (base.equals("fill")) {
            pack = new RulePack(pack.sources().stream().filter(s -> !s.drl().contains("BaseItem")).toList());
        }
        rules = compiler.compile("bench", pack).orThrow();
        List<BaseItem> items = new ArrayList<>();
        for (String p : List.of(Placement.HOME_BANNER, Placement.PRODUCT_PAGE, Placement.ARTICLE_SUMMARY, Placement.IN_APP_MESSAGE, Placement.CART_RECOVERY)) {
            for (int k = 0; k < 5; k++) {
                items.add(new BaseItem(p, p + "-feed-" + k, "casual", null, "Have a look", null, BaseItem.FEED, 10 - k, 0, Map.of()));
                items.add(new BaseItem(p, p + "-popular-" + k, null, null, null, null, BaseItem.POPULAR, 0.1 - k / 100.0, 0, Map.of()));
                for (String segment : List.of("cart_history", "high_intent_now", "viewed_product_7d")) {
                    items.add(new BaseItem(p, p + "-" + segment + "-" + k, null, null, null, segment, BaseItem.POPULAR, 0.2 - k / 100.0, 0, Map.of()));
                }
            }
        }
        BaseLayer layer = BaseLayer.of(items, BaseLayer.DEFAULT_MAX_PER_SEGMENT);
        DecisionInput[] plain = Workloads.inputs("default");
        inputs = new DecisionInput[plain.length];
        for (int i = 0; i < plain.length; i++) {
            inputs[i] = !base.equals("off") ? plain[i].withBase(layer.forPlacements(plain[i].placements())) : plain[i];
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
