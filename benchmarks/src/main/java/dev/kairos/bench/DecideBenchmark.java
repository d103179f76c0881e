package dev.kairos.bench;

import dev.kairos.rules.AdaptationBuilder;
import dev.kairos.rules.Placement;
import dev.kairos.rules.Segment;
import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.engine.Evaluation;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RuleSource;
import dev.kairos.rules.engine.internal.Firing;
import dev.kairos.rules.engine.internal.FiringListener;
import org.drools.compiler.kie.builder.impl.DrlProject;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.runtime.KieContainer;
import org.kie.api.runtime.KieSession;
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

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One in-process decision: Kairos ({@link CompiledRules#evaluate}: pooled session, ranking,
 * explanations) against Drools as it is commonly embedded (a new {@link KieSession} per request
 * from a shared {@link KieContainer}, facts inserted, {@code fireAllRules}, best answer per
 * placement picked) — same DRL, same facts, same answers.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class DecideBenchmark {
    @Param({"default", "100", "1000"})
    public String rules;

    private RuleCompiler compiler;
    private CompiledRules kairos;
    private KieContainer container;
    private FiringListener listener;
    private DecisionInput[] inputs;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        compiler = new RuleCompiler(CompileLimits.DEFAULT);
        kairos = compiler.compile("bench", Workloads.pack(rules)).orThrow();
        container = commonContainer(rules);
        listener = new FiringListener(Map.of());
        inputs = Workloads.inputs(rules);
    }

    /** Builds a KieContainer the usual way (KieFileSystem + KieBuilder, plain DRL), with the same prelude Kairos adds. */
    static KieContainer commonContainer(String workload) {
        KieServices ks = KieServices.Factory.get();
        KieFileSystem kfs = ks.newKieFileSystem();
        int i = 0;
        for (RuleSource s : Workloads.pack(workload).sources()) {
            String pkg = workload.equals("default") ? "dev.kairos.rules.defaults" : "bench";
            if (i++ == 0) {
                kfs.write("src/main/resources/bench/prelude.drl", "package " + pkg + ";\nimport dev.kairos.rules.*;\n"
                        + "import function dev.kairos.rules.Actions.adapt;\nimport function dev.kairos.rules.Actions.suppress;\n"
                        + "import function dev.kairos.rules.Actions.fallback;\n");
            }
            kfs.write("src/main/resources/bench/" + s.name(), s.drl());
        }
        KieBuilder builder = ks.newKieBuilder(kfs).buildAll(DrlProject.class);
        if (builder.getResults().hasMessages(Message.Level.ERROR)) {
            throw new IllegalStateException(builder.getResults().toString());
        }
        return ks.newKieContainer(ks.getRepository().getDefaultReleaseId());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kairos.close();
        compiler.close();
        container.dispose();
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
    public Map<String, AdaptationBuilder> droolsSessionPerRequest() {
        return commonDecide(container, listener, nextInput());
    }

    /** The common embedding: new session, insert, fire, dispose; best answer per placement by priority. */
    static Map<String, AdaptationBuilder> commonDecide(KieContainer container, FiringListener listener, DecisionInput in) {
        KieSession session = container.newKieSession();
        Firing firing = Firing.begin();
        try {
            session.addEventListener((org.kie.api.event.rule.AgendaEventListener) listener);
            session.insert(in.context());
            session.insert(in.signals());
            session.insert(in.weights());
            for (Segment s : in.segments()) session.insert(s);
            for (Placement p : in.placements()) session.insert(p);
            session.fireAllRules(1000);
            Map<String, AdaptationBuilder> best = new HashMap<>();
            for (AdaptationBuilder b : firing.recorded()) {
                best.merge(b.getPlacement(), b, (a, c) -> c.getPriority() > a.getPriority() ? c : a);
            }
            return best;
        } finally {
            firing.end();
            session.dispose();
        }
    }
}
