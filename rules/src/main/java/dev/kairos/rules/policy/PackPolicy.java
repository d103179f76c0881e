package dev.kairos.rules.policy;

import dev.kairos.rules.engine.RuleProblem;
import dev.kairos.rules.engine.SourcePositions;
import dev.kairos.rules.input.DecideRequestReader;
import dev.kairos.rules.policy.internal.Ast;
import dev.kairos.rules.policy.internal.Checker;
import dev.kairos.rules.policy.internal.JType;
import dev.kairos.rules.policy.internal.Lexer;
import dev.kairos.rules.policy.internal.Parser;
import dev.kairos.rules.policy.internal.PolicyException;
import dev.kairos.rules.policy.internal.SourceScan;
import dev.kairos.rules.policy.internal.Token;
import org.drools.drl.ast.descr.AccumulateDescr;
import org.drools.drl.ast.descr.AndDescr;
import org.drools.drl.ast.descr.AnnotationDescr;
import org.drools.drl.ast.descr.AttributeDescr;
import org.drools.drl.ast.descr.BaseDescr;
import org.drools.drl.ast.descr.CollectDescr;
import org.drools.drl.ast.descr.ConditionalElementDescr;
import org.drools.drl.ast.descr.EvalDescr;
import org.drools.drl.ast.descr.ExistsDescr;
import org.drools.drl.ast.descr.ExprConstraintDescr;
import org.drools.drl.ast.descr.ForallDescr;
import org.drools.drl.ast.descr.FromDescr;
import org.drools.drl.ast.descr.FunctionImportDescr;
import org.drools.drl.ast.descr.GroupByDescr;
import org.drools.drl.ast.descr.ImportDescr;
import org.drools.drl.ast.descr.NotDescr;
import org.drools.drl.ast.descr.OrDescr;
import org.drools.drl.ast.descr.PackageDescr;
import org.drools.drl.ast.descr.PatternDescr;
import org.drools.drl.ast.descr.PatternSourceDescr;
import org.drools.drl.ast.descr.QueryDescr;
import org.drools.drl.ast.descr.RuleDescr;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The check every pack passes before anything of it is compiled: an allow-list over the parsed
 * pack (Drools' package descriptors), not a deny-list over its text. Imports, globals, functions,
 * queries, declared types, rule attributes and annotations, every pattern, constraint,
 * {@code eval}, {@code from}/{@code accumulate}/{@code collect} source and the consequence are
 * checked; every type, method, constructor and constant they reach must be in the
 * {@link Vocabulary}. The consequence is read as javac reads it ({@link SourceScan} first makes
 * sure unicode escapes cannot change what javac sees). A refusal is a {@link RuleProblem} of kind
 * {@code forbidden} (or {@code limit}) at the 1-based line and column of the offending token.
 *
 * <pre>List&lt;RuleProblem&gt; problems = PackPolicy.standard().check("offers.drl", drl, new DrlParser().parse(false, drl));</pre>
 *
 * Stateless and thread-safe.
 */
public final class PackPolicy {
    /** Most combinations of facts one rule may match (the product of its patterns' caps). */
    public static final int MAX_COMBINATIONS = 100_000;
    /** Most facts the rules of one evaluation may insert (segments). */
    public static final int MAX_INSERTED_FACTS = 200;
    /** Most experiments running at once, so most {@code Variant} facts per decision. */
    public static final int MAX_VARIANTS = 20;
    /** Most items in any collection of the facts ({@code productViewsByCategory}, {@code custom}, ...). */
    public static final int MAX_COLLECTION = 100;

    private static final Set<String> WILDCARD_IMPORTS = Set.of("dev.kairos.rules", "java.util", "java.lang", "java.time");
    private static final Set<String> ANNOTATIONS = Set.of("description", "frequencyCap", "cooldownAfterDismiss");
    private static final Set<String> ACCUMULATE_FUNCTIONS = Set.of("count", "sum", "average", "min", "max", "collectList", "collectSet");
    private static final Map<String, Class<?>> COLLECT_TYPES = Map.of("ArrayList", List.class, "java.util.ArrayList", List.class,
            "HashSet", Set.class, "java.util.HashSet", Set.class);
    private static final Set<String> BUILT_IN_PACKAGES = Set.of("dev.kairos.rules.defaults");

    private static final PackPolicy STANDARD = new PackPolicy(Vocabulary.standard(), false, true);
    private static final PackPolicy BUILT_IN = new PackPolicy(Vocabulary.standard(), true, true);
    private static final PackPolicy UNCHECKED = new PackPolicy(Vocabulary.standard(), false, false);

    private final Vocabulary vocabulary;
    private final boolean builtIn;
    private final boolean enforced;

    private PackPolicy(Vocabulary vocabulary, boolean builtIn, boolean enforced) {
        this.vocabulary = vocabulary;
        this.builtIn = builtIn;
        this.enforced = enforced;
    }

    /**
     * A policy that lets everything through. Only for tests that must get a deliberately bad rule
     * past the check to prove the run-time defences (deadline, breaker) and that the check matters;
     * no server configuration can select it.
     */
    public static PackPolicy uncheckedForTesting() { return UNCHECKED; }

    /** The policy for uploaded packs. */
    public static PackPolicy standard() { return STANDARD; }

    /** The policy for the packs Kairos ships (the same checks; they may use Kairos' own packages). */
    public static PackPolicy builtIn() { return BUILT_IN; }

    public Vocabulary vocabulary() { return vocabulary; }

    /**
     * Checks the raw text before any parser reads it (unicode escapes, nesting, chain length); an
     * empty list means the file may be parsed.
     */
    public List<RuleProblem> precheck(String file, String drl) {
        if (!enforced) return List.of();
        try {
            SourceScan.check(drl);
            return List.of();
        } catch (PolicyException e) {
            return List.of(new Positions(file, drl).problem(e));
        }
    }

    /** Checks one parsed file; an empty list means it stays within the vocabulary. */
    public List<RuleProblem> check(String file, String drl, PackageDescr pkg) {
        if (!enforced) return List.of();
        FileCheck f = new FileCheck(new Positions(file, drl), drl);
        f.run(pkg);
        return f.problems;
    }

    /** The maximum number of facts of {@code type} in one evaluation (1 for the one-per-decision facts). */
    static int cap(Class<?> type) {
        if (type == dev.kairos.rules.Placement.class) return DecideRequestReader.MAX_PLACEMENTS;
        if (type == dev.kairos.rules.Segment.class) return DecideRequestReader.MAX_SEGMENTS + MAX_INSERTED_FACTS;
        if (type == dev.kairos.rules.Variant.class) return MAX_VARIANTS;
        return 1;
    }

    /** Turns offsets into 1-based line:column problems. */
    private static final class Positions {
        private final SourcePositions at;

        Positions(String file, String drl) {
            this.at = new SourcePositions(file, drl);
        }

        RuleProblem problem(PolicyException e) { return at(e.offset(), e.kind(), e.getMessage()); }

        RuleProblem at(int offset, String kind, String message) { return at.at(offset, kind, message); }
    }

    private final class FileCheck {
        final Positions positions;
        final String drl;
        final List<RuleProblem> problems = new ArrayList<>();
        final Map<String, Method> functionImports = new HashMap<>();

        FileCheck(Positions positions, String drl) {
            this.positions = positions;
            this.drl = drl;
        }

        void refuse(int offset, String message) {
            problems.add(positions.at(offset, "forbidden", message));
        }

        void run(PackageDescr pkg) {
            packageName(pkg);
            for (ImportDescr imp : pkg.getImports()) importDescr(imp);
            for (FunctionImportDescr imp : pkg.getFunctionImports()) functionImport(imp);
            pkg.getGlobals().forEach(g -> refuse(start(g, "global"), "globals are not allowed: a rule may only use the facts of the decision"));
            pkg.getFunctions().forEach(fn -> refuse(start(fn, "function"), "functions ('function " + fn.getName()
                    + "') are not allowed: use the helpers of the fact model"));
            pkg.getTypeDeclarations().forEach(t -> refuse(start(t, "declare"), "declared types ('declare " + t.getTypeName()
                    + "') are not allowed: rules use the Kairos fact model"));
            pkg.getEnumDeclarations().forEach(t -> refuse(start(t, "declare"), "declared enums ('declare enum " + t.getTypeName() + "') are not allowed"));
            pkg.getEntryPointDeclarations().forEach(t -> refuse(start(t, "declare"), "entry points are not part of the Kairos model"));
            pkg.getWindowDeclarations().forEach(t -> refuse(start(t, "declare"), "windows are not part of the Kairos model"));
            pkg.getAccumulateImports().forEach(t -> refuse(start(t, "import"), "custom accumulate functions are not allowed"));
            pkg.getAttributes().forEach(a -> refuse(start(a, a.getName()), "package-level attribute '" + a.getName() + "' is not allowed"));
            if (pkg.getUnit() != null) refuse(start(pkg.getUnit(), "unit"), "rule units are not part of the Kairos model");
            for (RuleDescr rule : pkg.getRules()) {
                if (rule instanceof QueryDescr q) {
                    refuse(start(q, "query"), "queries ('query " + q.getName() + "') are not allowed: Kairos never calls them");
                } else {
                    rule(rule);
                }
            }
        }

        private void packageName(PackageDescr pkg) {
            String name = pkg.getName();
            if (name == null || name.isBlank()) return;
            int at = drl.indexOf(name);
            if (!builtIn && (name.startsWith("dev.kairos.") && !BUILT_IN_PACKAGES.contains(name) || name.equals("dev.kairos"))
                    || name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.") || name.startsWith("sun.")
                    || name.startsWith("com.sun.") || name.startsWith("org.drools.") || name.startsWith("org.kie.") || name.startsWith("org.mvel2")) {
                refuse(at, "package '" + name + "' belongs to Kairos or a library; name your own, e.g. com.acme.rules");
                return;
            }
            ClassLoader loader = PackPolicy.class.getClassLoader();
            for (String simple : vocabulary.simpleNames()) {
                try {
                    Class.forName(name + "." + simple, false, loader);
                    refuse(at, "package '" + name + "' holds a class named " + simple + " that would hide the fact model's; name your own, e.g. com.acme.rules");
                    return;
                } catch (ClassNotFoundException | LinkageError expected) {
                    // no such class: the simple name means what the vocabulary says
                }
            }
        }

        private void importDescr(ImportDescr imp) {
            String target = imp.getTarget();
            int at = start(imp, "import");
            if (target.endsWith(".*")) {
                if (!WILDCARD_IMPORTS.contains(target.substring(0, target.length() - 2))) {
                    refuse(at, "import of '" + target + "' is not allowed; only the fact model, java.lang, java.util and java.time may be imported");
                }
                return;
            }
            var type = vocabulary.type(target);
            if (type.isEmpty() || !type.get().type().getName().equals(target)) {
                refuse(at, "import of '" + target + "' is not allowed: it is not on the allow-list (see \"What a rule may do\")");
            }
        }

        private void functionImport(FunctionImportDescr imp) {
            String target = imp.getTarget();
            int at = start(imp, "import");
            int dot = target.lastIndexOf('.');
            String owner = dot < 0 ? "" : target.substring(0, dot);
            String name = target.substring(dot + 1);
            if (owner.equals("dev.kairos.rules.Actions")) {
                if (!name.equals("*") && !vocabulary.functions().containsKey(name)) refuse(at, "'" + target + "' is not a Kairos action");
                return;
            }
            var type = vocabulary.type(owner).filter(t -> t.type().getName().equals(owner));
            if (type.isEmpty() || name.equals("*") || !type.get().statics().containsKey(name)) {
                refuse(at, "import function '" + target + "' is not allowed; functions may come from dev.kairos.rules.Actions or the static methods on the allow-list");
                return;
            }
            functionImports.put(name, type.get().statics().get(name).get(0));
        }

        // --- rules -------------------------------------------------------------------------

        private void rule(RuleDescr rule) {
            int ruleStart = Math.max(0, rule.getStartCharacter());
            if (rule.getParentName() != null) refuse(ruleStart, "rule inheritance ('extends " + rule.getParentName() + "') is not allowed");
            for (AttributeDescr a : rule.getAttributes().values()) attribute(a, ruleStart);
            for (AnnotationDescr a : rule.getAnnotations()) annotation(a, ruleStart);
            if (!rule.getNamedConsequences().isEmpty()) refuse(ruleStart, "named consequences (then[...]) are not allowed");
            Checker checker = new Checker(vocabulary, functionImports);
            Combinations combinations = new Combinations();
            lhs(rule.getLhs(), checker, true, combinations);
            if (combinations.product > MAX_COMBINATIONS) {
                refuse(ruleStart, "rule '" + rule.getName() + "' can match up to " + combinations.product + " combinations of facts ("
                        + String.join(" x ", combinations.parts) + "); the limit is " + MAX_COMBINATIONS
                        + ": use fewer patterns over facts that occur many times");
            }
            consequence(rule, checker);
        }

        private void attribute(AttributeDescr a, int ruleStart) {
            int at = a.getStartCharacter() >= 0 ? a.getStartCharacter() : ruleStart;
            String value = a.getValue() == null ? "" : a.getValue().strip();
            switch (a.getName()) {
                case "salience" -> {
                    if (!value.matches("-?\\d{1,7}")) {
                        refuse(at, "salience must be a whole number such as -100 (a computed salience is not allowed)");
                    }
                }
                case "no-loop" -> {
                    if (!value.equals("true") && !value.equals("false")) refuse(at, "no-loop must be true or false");
                }
                default -> refuse(at, "rule attribute '" + a.getName() + "' is not allowed; Kairos ranks with salience and priority only");
            }
        }

        private void annotation(AnnotationDescr a, int ruleStart) {
            int at = drl.indexOf("@" + a.getName(), ruleStart);
            if (at < 0) at = ruleStart;
            if (!ANNOTATIONS.contains(a.getName())) {
                refuse(at, "annotation '@" + a.getName() + "' is not allowed; a rule may carry @description(\"...\"), "
                        + "@frequencyCap(\"3/24h\") and @cooldownAfterDismiss(\"72h\")");
                return;
            }
            Map<String, Object> values = a.getValueMap();
            Object value = values.size() == 1 ? values.get(AnnotationDescr.VALUE) : null;
            if (!(value instanceof String s) || !isSingleStringLiteral(s, at)) {
                refuse(at, "@" + a.getName() + " takes one text in quotes, e.g. @description(\"Evening offer for diners\")");
                return;
            }
            String text = ((String) value).strip();
            text = text.substring(1, text.length() - 1);
            try {
                if (a.getName().equals("frequencyCap")) dev.kairos.rules.engine.DeliveryLimits.cap(text);
                if (a.getName().equals("cooldownAfterDismiss")) dev.kairos.rules.engine.DeliveryLimits.cooldown(text);
            } catch (IllegalArgumentException e) {
                problems.add(positions.at(at, "syntax", e.getMessage()));
            }
        }

        private boolean isSingleStringLiteral(String text, int at) {
            try {
                List<Token> tokens = Lexer.tokenize(text, at, false);
                return tokens.size() == 2 && tokens.get(0).kind() == Token.Kind.STRING && tokens.get(0).text().startsWith("\"");
            } catch (PolicyException e) {
                return false;
            }
        }

        // --- conditions --------------------------------------------------------------------

        /** Running product of the caps of a rule's positive patterns. */
        private static final class Combinations {
            long product = 1;
            final List<String> parts = new ArrayList<>();

            void times(int n, String what) {
                if (n <= 1) return;
                product = Math.min(Long.MAX_VALUE / 1_000_000, product * n);
                parts.add(what + " (" + n + ")");
            }
        }

        private void lhs(BaseDescr d, Checker checker, boolean positive, Combinations combinations) {
            if (d instanceof AndDescr || d instanceof OrDescr) {
                for (BaseDescr c : ((ConditionalElementDescr) d).getDescrs()) lhs(c, checker, positive, combinations);
            } else if (d instanceof NotDescr || d instanceof ExistsDescr || d instanceof ForallDescr) {
                Combinations inner = new Combinations();
                for (BaseDescr c : ((ConditionalElementDescr) d).getDescrs()) lhs(c, checker, true, inner);
                if (inner.product > MAX_COMBINATIONS) {
                    refuse(start(d, ""), "this not/exists/forall can match up to " + inner.product + " combinations of facts; the limit is " + MAX_COMBINATIONS);
                }
            } else if (d instanceof EvalDescr e) {
                eval(e, checker);
            } else if (d instanceof PatternDescr p) {
                pattern(p, checker, positive, combinations);
            } else {
                refuse(start(d, ""), "'" + d.getClass().getSimpleName().replace("Descr", "") + "' is not part of the Kairos rule language");
            }
        }

        private void eval(EvalDescr e, Checker checker) {
            String content = String.valueOf(e.getContent());
            int at = locate(content, e.getStartCharacter(), e.getEndCharacter());
            try {
                checker.java(Parser.javaExpression(content, at));
            } catch (PolicyException ex) {
                problems.add(positions.problem(ex));
            }
        }

        private void pattern(PatternDescr p, Checker checker, boolean positive, Combinations combinations) {
            int at = Math.max(0, p.getStartCharacter());
            if (!p.getAnnotations().isEmpty()) refuse(at, "pattern annotations (such as @watch) are not allowed");
            if (p.getBehaviors() != null && !p.getBehaviors().isEmpty()) refuse(at, "sliding windows (over window:...) are not allowed");
            if (p.isQuery()) refuse(at, "calling queries is not allowed");
            PatternSourceDescr source = p.getSource();
            JType type;
            int cap;
            try {
                if (source == null) {
                    var rules = vocabulary.type(p.getObjectType()).filter(r -> r.kind() == Vocabulary.Kind.FACT
                            && (!p.getObjectType().contains(".") || r.type().getName().equals(p.getObjectType())));
                    if (rules.isEmpty()) {
                        throw new PolicyException(at, "'" + p.getObjectType() + "' is not a fact of the decision; a pattern matches Context, Signals, "
                                + "Profile, Segment, Weights, Thresholds, Exposures, Placement or Variant (other types need 'from')");
                    }
                    type = JType.of(rules.get().type());
                    cap = cap(rules.get().type());
                } else if (source instanceof FromDescr from) {
                    String text = from.getDataSource() == null ? "" : from.getDataSource().toString();
                    int textAt = locate(text, p.getStartCharacter(), p.getEndCharacter());
                    JType sourceType = checker.mvel(Parser.mvelExpression(text, textAt));
                    type = valueType(p, at);
                    cap = sourceType.isCollection() || sourceType.isMap() ? MAX_COLLECTION : 1;
                } else if (source instanceof CollectDescr collect) {
                    Combinations inner = new Combinations();
                    if (collect.getInputPattern() != null) pattern(collect.getInputPattern(), checker, true, inner);
                    limit(inner, at);
                    Class<?> result = COLLECT_TYPES.get(p.getObjectType());
                    if (result == null) result = vocabulary.type(p.getObjectType()).map(Vocabulary.TypeRules::type)
                            .filter(c -> c == List.class || c == Set.class || c == java.util.Collection.class).orElse(null);
                    if (result == null) throw new PolicyException(at, "collect(...) gathers into ArrayList, HashSet, List or Set, not '" + p.getObjectType() + "'");
                    type = JType.of(result, JType.UNKNOWN);
                    cap = 1;
                } else if (source instanceof GroupByDescr) {
                    throw new PolicyException(at, "groupby is not allowed in rules");
                } else if (source instanceof AccumulateDescr acc) {
                    type = accumulate(p, acc, checker, at);
                    cap = 1;
                } else {
                    throw new PolicyException(at, "'from " + source.getClass().getSimpleName().replace("Descr", "")
                            + "' is not allowed; 'from' may only read collections of the facts");
                }
            } catch (PolicyException e) {
                problems.add(positions.problem(e));
                type = JType.UNKNOWN;
                cap = 1;
            }
            if (positive) combinations.times(cap, p.getObjectType());
            if (p.getIdentifier() != null) {
                try {
                    checker.bind(p.getIdentifier(), type, at);
                } catch (PolicyException e) {
                    problems.add(positions.problem(e));
                }
            }
            for (BaseDescr c : p.getDescrs()) constraint(c, p, type, checker);
        }

        private JType valueType(PatternDescr p, int at) {
            var rules = vocabulary.type(p.getObjectType()).filter(r -> r.kind() != Vocabulary.Kind.STATIC
                    && (!p.getObjectType().contains(".") || r.type().getName().equals(p.getObjectType())));
            if (rules.isEmpty()) throw new PolicyException(at, "type '" + p.getObjectType() + "' is not on the allow-list (see \"What a rule may do\")");
            return JType.of(rules.get().type());
        }

        private JType accumulate(PatternDescr p, AccumulateDescr acc, Checker checker, int at) {
            if (!acc.isExternalFunction() || acc.getInitCode() != null || acc.getActionCode() != null || acc.getResultCode() != null) {
                throw new PolicyException(at, "accumulate with init/action/result code is not allowed; use count, sum, average, min, max, collectList or collectSet");
            }
            Combinations inner = new Combinations();
            if (acc.getInput() != null) lhs(acc.getInput(), checker, true, inner);
            limit(inner, at);
            JType result = JType.UNKNOWN;
            for (AccumulateDescr.AccumulateFunctionCallDescr fn : acc.getFunctions()) {
                int fnAt = locate(fn.getFunction(), acc.getStartCharacter(), acc.getEndCharacter());
                if (!ACCUMULATE_FUNCTIONS.contains(fn.getFunction())) {
                    throw new PolicyException(fnAt, "accumulate function '" + fn.getFunction() + "' is not allowed; use " + String.join(", ", ACCUMULATE_FUNCTIONS));
                }
                for (String param : fn.getParams()) {
                    checker.mvel(Parser.mvelExpression(param, locate(param, fnAt, acc.getEndCharacter())));
                }
                result = switch (fn.getFunction()) {
                    case "count" -> JType.of(Long.class);
                    case "sum", "average" -> JType.of(Double.class);
                    case "collectList" -> JType.of(List.class, JType.UNKNOWN);
                    case "collectSet" -> JType.of(Set.class, JType.UNKNOWN);
                    default -> JType.of(Number.class);
                };
                if (fn.getBind() != null) checker.bind(fn.getBind(), result, fnAt);
            }
            if (p.getObjectType() != null && !p.getObjectType().isEmpty()) {
                Class<?> collected = COLLECT_TYPES.get(p.getObjectType());
                return collected != null ? JType.of(collected, JType.UNKNOWN) : valueType(p, at);
            }
            return result;
        }

        private void limit(Combinations inner, int at) {
            if (inner.product > MAX_COMBINATIONS) {
                throw new PolicyException(at, "this source can range over up to " + inner.product + " combinations of facts; the limit is " + MAX_COMBINATIONS);
            }
        }

        private void constraint(BaseDescr c, PatternDescr p, JType type, Checker checker) {
            if (!(c instanceof ExprConstraintDescr e)) {
                refuse(start(c, ""), "this kind of constraint is not allowed");
                return;
            }
            String text = e.getExpression();
            int at = e.getStartCharacter() >= 0 && drl.startsWith(text, e.getStartCharacter()) ? e.getStartCharacter()
                    : locate(text, p.getStartCharacter(), p.getEndCharacter());
            try {
                if (e.getType() == ExprConstraintDescr.Type.POSITIONAL) {
                    throw new PolicyException(at, "positional constraints are not allowed; name the property, e.g. Segment( name == \"x\" )");
                }
                Ast.Constraint parsed = Parser.constraint(text, at);
                JType result = checker.constraint(parsed.expr(), type);
                if (parsed.binding() != null) checker.bind(parsed.binding(), result, parsed.pos());
            } catch (PolicyException ex) {
                problems.add(positions.problem(ex));
            }
        }

        // --- consequence -------------------------------------------------------------------

        private void consequence(RuleDescr rule, Checker checker) {
            Object c = rule.getConsequence();
            if (!(c instanceof String text) || text.isBlank()) return;
            int from = Math.max(rule.getLhs() == null ? 0 : rule.getLhs().getEndCharacter(), rule.getStartCharacter());
            int thenAt = indexOfWord(drl, "then", Math.max(0, from));
            int at = drl.indexOf(text, thenAt < 0 ? Math.max(0, from) : thenAt);
            if (at < 0) at = Math.max(0, from);
            try {
                Parser.consequence(text, at, statement -> {
                    try {
                        checker.consequenceStatement(statement);
                    } catch (PolicyException ex) {
                        problems.add(positions.problem(ex));
                    }
                });
            } catch (PolicyException ex) {
                problems.add(positions.problem(ex));
            }
        }

        private static int indexOfWord(String s, String word, int from) {
            int i = s.indexOf(word, from);
            while (i >= 0) {
                boolean before = i == 0 || !Character.isJavaIdentifierPart(s.charAt(i - 1));
                boolean after = i + word.length() >= s.length() || !Character.isJavaIdentifierPart(s.charAt(i + word.length()));
                if (before && after) return i;
                i = s.indexOf(word, i + 1);
            }
            return -1;
        }

        // --- positions ---------------------------------------------------------------------

        /** Where {@code text} is in the file, searching between {@code from} and {@code to} (descriptor offsets); {@code from} when not found. */
        private int locate(String text, int from, int to) {
            int start = Math.max(0, from);
            int i = text.isEmpty() ? -1 : drl.indexOf(text, start);
            if (i >= 0 && (to <= 0 || i <= to + 1)) return i;
            return start;
        }

        /** Start offset of a descriptor, or of its keyword after the previous position when Drools did not record one. */
        private int start(BaseDescr d, String keyword) {
            if (d.getStartCharacter() >= 0) return d.getStartCharacter();
            if (d.getLine() > 0) {
                int line = d.getLine();
                int offset = 0;
                for (int l = 1; l < line && offset >= 0; l++) offset = drl.indexOf('\n', offset) + 1;
                return Math.max(0, offset) + Math.max(0, d.getColumn());
            }
            int i = keyword.isEmpty() ? -1 : indexOfWord(drl, keyword, 0);
            return Math.max(0, i);
        }
    }

    /** Names of the types a pattern may match directly, for messages and docs. */
    public static List<String> factTypes() {
        List<String> out = new ArrayList<>();
        for (Vocabulary.TypeRules t : Vocabulary.standard().types()) if (t.kind() == Vocabulary.Kind.FACT) out.add(t.simpleName());
        return out;
    }

    static Map<String, Integer> caps() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("Placement", cap(dev.kairos.rules.Placement.class));
        m.put("Segment", cap(dev.kairos.rules.Segment.class));
        m.put("Variant", cap(dev.kairos.rules.Variant.class));
        return m;
    }
}
