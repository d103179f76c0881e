package dev.kairos.rules.engine;

import dev.kairos.rules.Segment;
import dev.kairos.rules.Variant;
import dev.kairos.rules.lint.PackLinter;
import dev.kairos.rules.policy.Vocabulary;
import dev.kairos.rules.policy.internal.Ast;
import dev.kairos.rules.policy.internal.Ast.Expr;
import dev.kairos.rules.policy.internal.Parser;
import dev.kairos.rules.policy.internal.PolicyException;
import org.drools.drl.ast.descr.BaseDescr;
import org.drools.drl.ast.descr.ExprConstraintDescr;
import org.drools.drl.ast.descr.ImportDescr;
import org.drools.drl.ast.descr.PackageDescr;
import org.drools.drl.ast.descr.PatternDescr;
import org.drools.drl.ast.descr.RuleDescr;
import org.drools.drl.parser.DrlParser;
import org.drools.drl.parser.DroolsParserException;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * "Why didn't my rule fire?": for one rule of a pack and one decision's facts, the first condition
 * that did not hold, with the values the facts had. It compiles the pack once more with probe rules
 * added (each a growing prefix of the rule's conditions, with no action, at the lowest salience so
 * they see the facts segment rules add) and evaluates the facts: the first prefix that does not
 * match names the condition. Probe rules are made from the rule's own, already checked text and are
 * checked again like any pack; nothing else runs.
 *
 * <pre>RuleExplainer why = new RuleExplainer(compiler, pack);
 *RuleExplainer.Trace t = why.explain(input, List.of(), "Evening restaurant offer");
 *System.out.println(t.describe());   // rule "..." did not fire: Context( time.hour &gt;= 18 ) at ... did not hold: time.hour = 12</pre>
 *
 * Thread-safe; compiled probes of the last {@value #CACHED} rules are kept.
 */
public final class RuleExplainer implements AutoCloseable {
    static final int CACHED = 8;
    private static final String PROBE = "kairos-why #";
    private static final String PROBE_FILE = "kairos-why.drl";

    private final RuleCompiler compiler;
    private final RulePack pack;
    private final Map<String, Probes> cache = new LinkedHashMap<>(CACHED, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<String, Probes> e) {
            if (size() <= CACHED) return false;
            e.getValue().rules().close();
            return true;
        }
    };

    public RuleExplainer(RuleCompiler compiler, RulePack pack) {
        this.compiler = Objects.requireNonNull(compiler, "compiler");
        this.pack = Objects.requireNonNull(pack, "pack");
    }

    /** Why {@code rule} fired or not for these facts. */
    public record Trace(String rule, boolean fired, Failed failed, String note) {
        /** One line for people: what did not hold, where, and the values seen. */
        public String describe() {
            if (fired) return "rule \"" + rule + "\" fired" + (note == null ? "" : ": " + note);
            if (failed == null) return "rule \"" + rule + "\" did not fire" + (note == null ? "" : ": " + note);
            return "rule \"" + rule + "\" did not fire: " + failed.describe();
        }
    }

    /**
     * The condition that did not hold: where (file, 1-based line and column), the fact type of its
     * pattern (or the whole element, such as a {@code not ...}, with {@code condition} null), the condition's text, and the values of what it reads in the facts
     * ({@code "time.hour" -> 12}; a list when there are several facts of the type, such as placements).
     */
    public record Failed(String file, int line, int column, String element, String condition, Map<String, Object> values) {
        public String describe() {
            StringBuilder b = new StringBuilder();
            b.append(condition == null ? element : element + "( " + condition + " )").append(" at ").append(file).append(':').append(line)
                    .append(':').append(column).append(" did not hold");
            if (!values.isEmpty()) {
                b.append("; the facts had ");
                List<String> parts = new ArrayList<>();
                values.forEach((k, v) -> parts.add(k + " = " + show(v)));
                b.append(String.join(", ", parts));
            }
            return b.toString();
        }

        private static String show(Object v) {
            if (v instanceof String s) return "\"" + s + "\"";
            if (v instanceof List<?> l) return l.stream().map(Failed::show).toList().toString();
            return String.valueOf(v);
        }
    }

    /**
     * Explains {@code rule} for {@code input} (with experiment {@code variants}). Throws
     * {@link IllegalArgumentException} when the pack has no such rule.
     */
    public Trace explain(DecisionInput input, List<Variant> variants, String rule) {
        Probes probes = probes(rule);
        Evaluation e = probes.rules().evaluate(input, variants, false);
        java.util.Set<String> fired = new java.util.HashSet<>(e.firedRules());
        if (fired.contains(rule)) {
            String note = null;
            for (PlacementExplanation p : e.explanations().values()) {
                for (Candidate c : p.candidates()) {
                    if (rule.equals(c.rule())) note = c.lostBecause() == null ? "it won " + p.placement() : "it lost " + p.placement() + ": " + c.lostBecause();
                }
            }
            return new Trace(rule, true, null, note);
        }
        for (Step step : probes.steps()) {
            if (fired.contains(step.probeName())) continue;
            Map<String, Object> values = step.reads() == null ? Map.of() : values(step, input, variants, e.segments(), probes.bindings(), probes.rules().thresholds());
            return new Trace(rule, false, new Failed(step.file(), step.line(), step.column(), step.element(), step.condition(), values), null);
        }
        return new Trace(rule, false, null, "every condition held on its own; the rule did not fire at this point of the evaluation "
                + "(an evaluation stopped at the firing limit, or a condition over facts other rules add or remove)");
    }

    // --- probes --------------------------------------------------------------------------------

    /** One probe: the rule's conditions up to one element and constraint. */
    private record Step(String probeName, String file, int line, int column, String element, String condition, Expr reads, String factType) {}

    private record Probes(CompiledRules rules, List<Step> steps, Map<String, String> bindings) {}

    private synchronized Probes probes(String rule) {
        Probes p = cache.get(rule);
        if (p != null) return p;
        p = build(rule);
        cache.put(rule, p);
        return p;
    }

    private Probes build(String ruleName) {
        for (RuleSource source : pack.drlSources()) {
            PackageDescr descr;
            try {
                DrlParser parser = new DrlParser();
                descr = parser.parse(false, source.drl());
                if (parser.hasErrors() || descr == null) continue;
            } catch (DroolsParserException e) {
                continue;
            }
            for (RuleDescr r : descr.getRules()) {
                if (r.getName().equals(ruleName)) return build(source, descr, r);
            }
        }
        throw new IllegalArgumentException("no rule named '" + ruleName + "' in the pack");
    }

    private Probes build(RuleSource source, PackageDescr pkg, RuleDescr rule) {
        String drl = source.drl();
        SourcePositions positions = new SourcePositions(source.name(), drl);
        StringBuilder probes = new StringBuilder();
        if (pkg.getName() != null && !pkg.getName().isBlank()) probes.append("package ").append(pkg.getName()).append(";\n");
        for (ImportDescr imp : pkg.getImports()) probes.append("import ").append(imp.getTarget()).append(";\n");
        List<Step> steps = new ArrayList<>();
        Map<String, String> bindings = new LinkedHashMap<>();
        List<String> done = new ArrayList<>();
        for (BaseDescr element : rule.getLhs().getDescrs()) {
            if (element instanceof PatternDescr p && p.getSource() == null) {
                String type = p.getObjectType();
                if (p.getIdentifier() != null) bindings.put(p.getIdentifier(), type);
                String head = (p.getIdentifier() == null ? "" : p.getIdentifier() + " : ") + type + "( ";
                List<String> constraints = new ArrayList<>();
                int at = Math.max(0, p.getStartCharacter());
                if (p.getDescrs().isEmpty()) {
                    String text = head.strip() + ")";
                    add(probes, steps, done, text, source.name(), positions, at, text, null, null, type);
                }
                for (BaseDescr c : p.getDescrs()) {
                    if (!(c instanceof ExprConstraintDescr e)) continue;
                    String text = e.getExpression();
                    int cAt = e.getStartCharacter() >= 0 && drl.startsWith(text, e.getStartCharacter()) ? e.getStartCharacter()
                            : Math.max(at, drl.indexOf(text, at));
                    constraints.add(text);
                    Expr reads = null;
                    try {
                        Ast.Constraint parsed = Parser.constraint(text, cAt);
                        reads = parsed.expr();
                        if (parsed.binding() != null) bindings.put(parsed.binding(), type + "#" + text);
                    } catch (PolicyException ignored) {
                        // the compiler accepted it; without a parse there are no values to show
                    }
                    String pattern = head + String.join(", ", constraints) + " )";
                    add(probes, steps, done, pattern, source.name(), positions, cAt, type, text.strip(), reads, type);
                }
                done.add(head + String.join(", ", constraints) + " )");
            } else {
                String text = slice(drl, element);
                add(probes, steps, done, text, source.name(), positions, Math.max(0, element.getStartCharacter()), text, null, null, null);
                done.add(text);
            }
        }
        RulePack withProbes = new RulePack(concat(pack.sources(), new RuleSource(PROBE_FILE, probes.toString())));
        CompileResult r = compiler.compile("why", withProbes, PackLinter.Known.offline());
        if (!r.ok()) throw new IllegalStateException("the rule could not be explained: " + r.problems());
        return new Probes(r.orThrow(), steps, bindings);
    }

    private static void add(StringBuilder probes, List<Step> steps, List<String> done, String last, String file, SourcePositions positions,
                            int offset, String element, String condition, Expr reads, String type) {
        String name = PROBE + (steps.size() + 1);
        probes.append("rule \"").append(name).append("\" salience -9999999\nwhen\n");
        for (String d : done) probes.append("    ").append(d).append('\n');
        probes.append("    ").append(last).append("\nthen\nend\n");
        int[] at = positions.lineColumn(offset);
        steps.add(new Step(name, file, at[0], at[1], element, condition, reads, type));
    }

    private static String slice(String drl, BaseDescr d) {
        int s = Math.max(0, d.getStartCharacter());
        int e = Math.min(drl.length(), Math.max(s, d.getEndCharacter() + 1));
        return drl.substring(s, e).strip();
    }

    private static List<RuleSource> concat(List<RuleSource> sources, RuleSource extra) {
        List<RuleSource> all = new ArrayList<>(sources);
        all.add(extra);
        return all;
    }

    // --- the values a condition read ----------------------------------------------------------

    private static Map<String, Object> values(Step step, DecisionInput input, List<Variant> variants, List<String> segments,
                                              Map<String, String> bindings, Map<String, Double> thresholds) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Object> facts = facts(step.factType(), input, variants, segments, thresholds);
        collect(step.reads(), e -> {
            String text = dev.kairos.rules.lint.Printer.print(e);
            if (out.containsKey(text)) return;
            Object value;
            if (rootedAtBinding(e) != null) {
                String bound = bindings.get(rootedAtBinding(e));
                if (bound == null || bound.contains("#")) return;
                List<Object> owners = facts(bound, input, variants, segments, thresholds);
                if (owners.size() != 1) return;
                value = eval(e, owners.get(0));
            } else if (facts.size() == 1) {
                value = eval(e, facts.get(0));
            } else {
                List<Object> all = new ArrayList<>();
                for (Object f : facts) {
                    Object v = eval(e, f);
                    if (v == NONE) return;
                    all.add(v);
                }
                value = all;
            }
            if (value != NONE) out.put(text, value);
        });
        return out;
    }

    /** The facts of {@code type} in the evaluation. */
    private static List<Object> facts(String type, DecisionInput input, List<Variant> variants, List<String> segments,
                                      Map<String, Double> thresholds) {
        if (type == null) return List.of();
        String simple = type.substring(type.lastIndexOf('.') + 1);
        return switch (simple) {
            case "Context" -> List.of(input.context());
            case "Signals" -> List.of(input.signals());
            case "Profile" -> List.of(input.profile());
            case "Weights" -> List.of(input.weights());
            case "Thresholds" -> List.of(dev.kairos.rules.Thresholds.of(thresholds, variants));
            case "Placement" -> new ArrayList<>(input.placements());
            case "Segment" -> new ArrayList<>(segments.stream().map(Segment::of).toList());
            case "Variant" -> new ArrayList<>(variants);
            default -> List.of();
        };
    }

    /** Visits the outermost reads of a condition: properties, property chains and calls with literal arguments. */
    private static void collect(Expr e, java.util.function.Consumer<Expr> read) {
        if (e == null) return;
        if (isRead(e)) {
            read.accept(e);
            return;
        }
        if (e instanceof Ast.Binary b) { collect(b.left(), read); collect(b.right(), read); }
        else if (e instanceof Ast.Unary u) collect(u.operand(), read);
        else if (e instanceof Ast.In in) { collect(in.left(), read); in.values().forEach(v -> collect(v, read)); }
        else if (e instanceof Ast.Relation r) { collect(r.left(), read); collect(r.right(), read); }
        else if (e instanceof Ast.Conditional c) { collect(c.condition(), read); collect(c.then(), read); collect(c.otherwise(), read); }
        else if (e instanceof Ast.Cast c) collect(c.operand(), read);
        else if (e instanceof Ast.Call c) c.args().forEach(a -> collect(a, read));
    }

    private static boolean isRead(Expr e) {
        if (e instanceof Ast.Name n) return !n.id().isEmpty() && Character.isLowerCase(n.id().charAt(0)) || n.id().startsWith("$");
        if (e instanceof Ast.Select s) return isRead(s.target());
        if (e instanceof Ast.Call c) {
            for (Expr a : c.args()) if (!(a instanceof Ast.Literal)) return false;
            return c.target() == null || isRead(c.target());
        }
        return false;
    }

    private static String rootedAtBinding(Expr e) {
        while (true) {
            if (e instanceof Ast.Name n) return n.id().startsWith("$") ? n.id() : null;
            if (e instanceof Ast.Select s) e = s.target();
            else if (e instanceof Ast.Call c && c.target() != null) e = c.target();
            else return null;
        }
    }

    private static final Object NONE = new Object();

    /** Evaluates a read on {@code self} through the allow-list's getters and methods only. */
    private static Object eval(Expr e, Object self) {
        try {
            if (e instanceof Ast.Name n) return n.id().startsWith("$") ? self : property(self, n.id());
            if (e instanceof Ast.Select s) {
                Object target = eval(s.target(), self);
                return target == NONE || target == null ? NONE : property(target, s.name());
            }
            if (e instanceof Ast.Call c) {
                Object target = c.target() == null ? self : eval(c.target(), self);
                if (target == NONE || target == null) return NONE;
                Object[] args = new Object[c.args().size()];
                for (int i = 0; i < args.length; i++) args[i] = ((Ast.Literal) c.args().get(i)).value();
                return call(target, c.name(), args);
            }
        } catch (ReflectiveOperationException | RuntimeException ex) {
            return NONE;
        }
        return NONE;
    }

    private static Object property(Object target, String name) throws ReflectiveOperationException {
        Optional<Vocabulary.TypeRules> rules = Vocabulary.standard().rulesFor(target.getClass());
        if (rules.isEmpty()) return NONE;
        Method m = rules.get().properties().get(name);
        return m == null ? NONE : m.invoke(target);
    }

    private static Object call(Object target, String name, Object[] args) throws ReflectiveOperationException {
        Optional<Vocabulary.TypeRules> rules = Vocabulary.standard().rulesFor(target.getClass());
        if (rules.isEmpty()) return NONE;
        for (Method m : rules.get().methods().getOrDefault(name, List.of())) {
            if (m.getParameterCount() != args.length) continue;
            Object[] converted = new Object[args.length];
            boolean ok = true;
            for (int i = 0; i < args.length && ok; i++) {
                Class<?> p = m.getParameterTypes()[i];
                if (p == String.class && args[i] instanceof String) converted[i] = args[i];
                else if ((p == int.class || p == Integer.class) && args[i] != null) converted[i] = Integer.valueOf(String.valueOf(args[i]));
                else if ((p == double.class || p == Double.class) && args[i] != null) converted[i] = Double.valueOf(String.valueOf(args[i]));
                else ok = false;
            }
            if (ok) return m.invoke(target, converted);
        }
        return NONE;
    }

    /** Releases the compiled probes. */
    @Override
    public synchronized void close() {
        cache.values().forEach(p -> p.rules().close());
        cache.clear();
    }
}
