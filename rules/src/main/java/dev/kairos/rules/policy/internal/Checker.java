package dev.kairos.rules.policy.internal;

import dev.kairos.rules.Segment;
import dev.kairos.rules.policy.Vocabulary;
import dev.kairos.rules.policy.Vocabulary.TypeRules;
import dev.kairos.rules.policy.internal.Ast.Expr;
import dev.kairos.rules.policy.internal.Ast.Stmt;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Type-checks rule code against a {@link Vocabulary}: every name must be a binding, a property of
 * the pattern's fact, an allowed type or a package on the way to one; every method, constructor
 * and constant reached must be on the allow-list for the static type of its receiver. Refusals are
 * thrown as {@link PolicyException}s at the offending token. One instance per rule (it carries the
 * rule's bindings); not thread-safe.
 */
public final class Checker {
    /** Where the code runs: a pattern constraint (MVEL, with a fact as {@code this}), another MVEL expression, or Java. */
    public enum Mode { CONSTRAINT, MVEL, JAVA }

    private sealed interface Resolved permits Value, TypeRef, PackageRef {}
    private record Value(JType type) implements Resolved {}
    private record TypeRef(TypeRules rules) implements Resolved {}
    private record PackageRef(String name) implements Resolved {}

    private static final Set<String> PACKAGE_ROOTS = Set.of("java", "javax", "jdk", "sun", "com", "org", "net", "io", "dev",
            "kotlin", "scala", "groovy", "jakarta", "reactor", "ch", "de", "fr", "uk", "edu", "gov", "lombok", "mvel2", "drools");
    private static final Set<String> ENGINE_NAMES = Set.of("drools", "kcontext", "kieRuntime", "ruleUnit", "channels", "entryPoints", "exitPoints");

    private final Vocabulary vocabulary;
    private final Map<String, JType> bindings = new LinkedHashMap<>();
    private final Map<String, Method> functionImports;
    private final List<RegexUse> regexes = new ArrayList<>();
    private Mode mode = Mode.JAVA;
    private JType self;

    /** A regular expression used with {@code matches}, for the caller's reports. */
    public record RegexUse(int pos, String regex) {}

    public Checker(Vocabulary vocabulary, Map<String, Method> functionImports) {
        this.vocabulary = vocabulary;
        this.functionImports = functionImports;
    }

    /** Declares a binding ({@code $p}) visible to the code checked afterwards. */
    public void bind(String name, JType type, int pos) {
        if (ENGINE_NAMES.contains(name)) throw new PolicyException(pos, "'" + name + "' is reserved by the rule engine; choose another binding name");
        bindings.put(name, type);
    }

    public Map<String, JType> bindings() { return bindings; }

    public List<RegexUse> regexes() { return regexes; }

    /** Checks a pattern constraint with {@code fact} as {@code this}; returns the constraint's type. */
    public JType constraint(Expr e, JType fact) {
        mode = Mode.CONSTRAINT;
        self = fact;
        try {
            return value(e);
        } finally {
            self = null;
        }
    }

    /** Checks an MVEL expression outside a pattern ({@code from} source, accumulate argument). */
    public JType mvel(Expr e) {
        mode = Mode.MVEL;
        return value(e);
    }

    /** Checks a Java expression ({@code eval}). */
    public JType java(Expr e) {
        mode = Mode.JAVA;
        return value(e);
    }

    /** Checks one statement of a consequence. */
    public void consequenceStatement(Stmt statement) {
        mode = Mode.JAVA;
        statement(statement);
    }

    private void statement(Stmt s) {
        if (s instanceof Ast.ExprStmt es) {
            value(es.expr());
            if (!(es.expr() instanceof Ast.Call)) {
                throw new PolicyException(es.pos(), "a statement in a consequence must be an action or a call, such as adapt($p).tone(\"casual\");");
            }
        } else if (s instanceof Ast.If f) {
            value(f.condition());
            statement(f.then());
            if (f.otherwise() != null) statement(f.otherwise());
        } else if (s instanceof Ast.Block b) {
            for (Stmt x : b.body()) statement(x);
        }
    }

    // --- expressions -------------------------------------------------------------------------

    private JType value(Expr e) {
        Resolved r = resolve(e);
        if (r instanceof Value v) return v.type();
        if (r instanceof TypeRef t) throw new PolicyException(e.pos(), "'" + t.rules().simpleName() + "' is a type, not a value");
        throw new PolicyException(e.pos(), "'" + ((PackageRef) r).name() + "' is not a value");
    }

    private Resolved resolve(Expr e) {
        if (e instanceof Ast.Literal l) return new Value(literal(l));
        if (e instanceof Ast.Name n) return name(n);
        if (e instanceof Ast.This t) {
            if (mode != Mode.CONSTRAINT || self == null) throw new PolicyException(t.pos(), "'this' is only allowed in a pattern's constraints");
            return new Value(self);
        }
        if (e instanceof Ast.Select s) return select(s);
        if (e instanceof Ast.Call c) return new Value(call(c));
        if (e instanceof Ast.Index ix) return new Value(index(ix));
        if (e instanceof Ast.New n) return new Value(creation(n));
        if (e instanceof Ast.Unary u) {
            JType t = value(u.operand());
            if (u.op().equals("!")) return new Value(JType.BOOLEAN);
            if (!t.isNumeric()) throw new PolicyException(u.pos(), "syntax", "'" + u.op() + "' needs a number");
            return new Value(t);
        }
        if (e instanceof Ast.Binary b) return new Value(binary(b));
        if (e instanceof Ast.In in) {
            value(in.left());
            for (Expr v : in.values()) value(v);
            return new Value(JType.BOOLEAN);
        }
        if (e instanceof Ast.Relation r) return new Value(relation(r));
        if (e instanceof Ast.Conditional c) {
            value(c.condition());
            JType a = value(c.then());
            JType b = value(c.otherwise());
            if (a.equals(b)) return new Value(a);
            if (a == JType.NULL) return new Value(b);
            if (b == JType.NULL) return new Value(a);
            if (a.isNumeric() && b.isNumeric()) return new Value(JType.widen(a, b));
            return new Value(JType.UNKNOWN);
        }
        if (e instanceof Ast.Cast c) {
            JType t = value(c.operand());
            if (!t.isNumeric() && !t.isBoolean() && t != JType.UNKNOWN) {
                throw new PolicyException(c.pos(), "syntax", "only numbers can be cast");
            }
            return new Value(JType.of(primitive(c.type())));
        }
        throw new PolicyException(e.pos(), "this construct is not allowed in rules");
    }

    private static Class<?> primitive(String name) {
        return switch (name) {
            case "int" -> int.class;
            case "long" -> long.class;
            case "double" -> double.class;
            case "float" -> float.class;
            case "short" -> short.class;
            case "byte" -> byte.class;
            case "char" -> char.class;
            default -> boolean.class;
        };
    }

    private JType literal(Ast.Literal l) {
        return switch (l.kind()) {
            case "STRING" -> JType.STRING;
            case "CHAR" -> JType.of(char.class);
            case "INT" -> JType.INT;
            case "LONG" -> JType.LONG;
            case "DECIMAL" -> JType.DOUBLE;
            case "BOOLEAN" -> JType.BOOLEAN;
            default -> JType.NULL;
        };
    }

    private Resolved name(Ast.Name n) {
        String id = n.id();
        JType bound = bindings.get(id);
        if (bound != null) return new Value(bound);
        if (ENGINE_NAMES.contains(id)) {
            throw new PolicyException(n.pos(), "'" + id + "' gives access to the rule engine itself and is not available to rules");
        }
        if (mode == Mode.CONSTRAINT && self != null) {
            Method getter = property(self, id);
            if (getter != null) return new Value(JType.resolve(getter.getGenericReturnType(), self));
        }
        var type = vocabulary.type(id);
        if (type.isPresent() && !id.contains(".")) return new TypeRef(type.get());
        if (PACKAGE_ROOTS.contains(id)) return new PackageRef(id);
        if (mode == Mode.CONSTRAINT && self != null) throw missing(self, id, false, n.pos());
        if (Character.isUpperCase(id.charAt(0))) {
            throw new PolicyException(n.pos(), "type '" + id + "' is not on the allow-list (see \"What a rule may do\")");
        }
        throw new PolicyException(n.pos(), "'" + id + "' is not known here: not a binding ($name) of this rule");
    }

    private Resolved select(Ast.Select s) {
        Resolved target = resolve(s.target());
        if (target instanceof PackageRef p) {
            String qualified = p.name() + "." + s.name();
            var type = vocabulary.type(qualified);
            if (type.isPresent() && type.get().type().getName().equals(qualified)) return new TypeRef(type.get());
            if (Character.isLowerCase(s.name().charAt(0))) return new PackageRef(qualified);
            throw new PolicyException(s.pos(), "'" + qualified + "' is not on the allow-list (see \"What a rule may do\")");
        }
        if (target instanceof TypeRef t) {
            Field f = t.rules().constants().get(s.name());
            if (f == null) {
                throw new PolicyException(s.pos(), "'" + t.rules().simpleName() + "." + s.name() + "' is not an allowed constant");
            }
            return new Value(JType.resolve(f.getGenericType(), null));
        }
        JType owner = ((Value) target).type();
        if (mode == Mode.JAVA) {
            throw new PolicyException(s.pos(), "in Java code, read a value with its getter (e.g. $p.getName()), not as a field ('." + s.name() + "')");
        }
        if (owner.isMap()) {
            throw new PolicyException(s.pos(), "read a map with get(\"" + s.name() + "\") rather than '." + s.name() + "'");
        }
        Method getter = property(owner, s.name());
        if (getter == null) throw missing(owner, s.name(), false, s.pos());
        return new Value(JType.resolve(getter.getGenericReturnType(), owner));
    }

    /**
     * The getter MVEL calls for {@code owner.name}: a property of the fact model, or on other
     * allowed types a method without arguments named {@code name} (MVEL reads {@code size} as
     * {@code size()}) or {@code getName()}/{@code isName()}.
     */
    private Method property(JType owner, String name) {
        if (owner == JType.UNKNOWN || owner == JType.NULL) return null;
        TypeRules rules = vocabulary.rulesFor(owner.raw()).orElse(null);
        if (rules == null) return null;
        Method m = rules.properties().get(name);
        if (m != null || rules.type().getName().startsWith("dev.kairos.")) return m;
        String upper = Character.toUpperCase(name.charAt(0)) + name.substring(1);
        for (String candidate : new String[] {name, "get" + upper, "is" + upper}) {
            for (Method x : rules.methods().getOrDefault(candidate, List.of())) {
                if (x.getParameterCount() == 0 && x.getReturnType() != void.class) return x;
            }
        }
        return null;
    }

    private JType call(Ast.Call c) {
        List<JType> args = new ArrayList<>(c.args().size());
        for (Expr a : c.args()) args.add(value(a));
        if (c.target() == null) return function(c, args);
        Resolved target = resolve(c.target());
        if (target instanceof PackageRef p) {
            throw new PolicyException(c.pos(), "'" + p.name() + "." + c.name() + "(...)' is not on the allow-list");
        }
        if (target instanceof TypeRef t) {
            List<Method> candidates = t.rules().statics().get(c.name());
            Method m = pick(candidates, args);
            if (m == null) {
                throw new PolicyException(c.pos(), "static method '" + t.rules().simpleName() + "." + c.name() + "' with " + args.size()
                        + " argument(s) is not on the allow-list");
            }
            if (c.name().equals("of") && (t.rules().type() == List.class || t.rules().type() == Set.class)) {
                return JType.of(t.rules().type(), common(args, 0, 1));
            }
            if (c.name().equals("of") && t.rules().type() == Map.class) {
                return JType.of(Map.class, common(args, 0, 2), common(args, 1, 2));
            }
            return JType.resolve(m.getGenericReturnType(), null);
        }
        JType receiver = ((Value) target).type();
        if (receiver == JType.UNKNOWN || receiver == JType.NULL) {
            throw new PolicyException(c.pos(), "the type of the value before '." + c.name() + "(...)' cannot be told, so no method may be called on it");
        }
        TypeRules rules = vocabulary.rulesFor(receiver.raw()).orElseThrow(() ->
                new PolicyException(c.pos(), "values of type " + receiver.display() + " have no methods a rule may call"));
        Method m = pick(rules.methods().get(c.name()), args);
        if (m == null) {
            if (rules.methods().containsKey(c.name())) {
                throw new PolicyException(c.pos(), "compile", rules.simpleName() + "." + c.name() + "(...) does not take " + args.size() + " argument(s)");
            }
            throw missing(receiver, c.name(), true, c.pos());
        }
        return JType.resolve(m.getGenericReturnType(), receiver.raw().isPrimitive() ? JType.of(rules.type()) : receiver);
    }

    private JType function(Ast.Call c, List<JType> args) {
        if (mode == Mode.JAVA && c.name().equals("insert")) {
            if (args.size() != 1 || !args.get(0).raw().equals(Segment.class)) {
                throw new PolicyException(c.pos(), "insert(...) may only add a Segment, e.g. insert(new Segment(\"name\", null))");
            }
            return JType.of(void.class);
        }
        if (mode == Mode.JAVA && Set.of("insertLogical", "update", "modify", "retract", "delete", "halt", "don", "shed").contains(c.name())) {
            throw new PolicyException(c.pos(), "'" + c.name() + "' is not part of the Kairos model: facts are read-only; only insert(new Segment(...)) may add one");
        }
        Method fn = mode == Mode.JAVA ? vocabulary.functions().get(c.name()) : null;
        if (fn != null) {
            if (fn.isVarArgs() ? args.size() < 1 : fn.getParameterCount() != args.size()) {
                throw new PolicyException(c.pos(), "syntax", c.name() + "(...) takes " + (fn.isVarArgs() ? "one or more" : String.valueOf(fn.getParameterCount())) + " argument(s)");
            }
            if (fn.isVarArgs()) {
                for (JType a : args) {
                    if (!a.raw().equals(String.class)) throw new PolicyException(c.pos(), "syntax", c.name() + "(...) takes texts, such as \"Order now\"");
                }
            }
            return JType.resolve(fn.getGenericReturnType(), null);
        }
        Method imported = functionImports.get(c.name());
        if (imported != null) return JType.resolve(imported.getGenericReturnType(), null);
        if (mode == Mode.CONSTRAINT && self != null) {
            var rules = vocabulary.rulesFor(self.raw());
            Method m = rules.map(r -> pick(r.methods().get(c.name()), args)).orElse(null);
            if (m != null) return JType.resolve(m.getGenericReturnType(), self);
            throw missing(self, c.name(), true, c.pos());
        }
        if (vocabulary.functions().containsKey(c.name())) {
            throw new PolicyException(c.pos(), "'" + c.name() + "(...)' is an action: call it in the 'then' part");
        }
        throw new PolicyException(c.pos(), "function '" + c.name() + "(...)' is not on the allow-list");
    }

    /**
     * The refusal for a member the vocabulary does not list: a compile problem (with the nearest
     * allowed name) when the type has no such member at all, a forbidden one when it has.
     */
    private PolicyException missing(JType owner, String name, boolean method, int pos) {
        Class<?> c = owner.raw().isPrimitive() ? box(owner.raw()) : owner.raw();
        String upper = name.isEmpty() ? name : Character.toUpperCase(name.charAt(0)) + name.substring(1);
        boolean exists = false;
        for (Method m : c.getMethods()) {
            String n = m.getName();
            if (n.equals(name) || !method && (n.equals("get" + upper) || n.equals("is" + upper))) exists = true;
        }
        for (Field f : c.getFields()) if (f.getName().equals(name)) exists = true;
        String what = owner.display();
        if (exists) {
            return new PolicyException(pos, (method ? "method '" + name + "(...)'" : "property '" + name + "'") + " of " + what
                    + " is not on the allow-list (see \"What a rule may do\")");
        }
        List<String> known = new ArrayList<>();
        vocabulary.rulesFor(c).ifPresent(r -> {
            known.addAll(r.properties().keySet());
            known.addAll(r.methods().keySet());
        });
        String hint = closest(name, known);
        return new PolicyException(pos, "compile", what + " has no " + (method ? "method '" + name + "(...)'" : "property '" + name + "'")
                + (hint == null ? "" : "; did you mean '" + hint + "'?"));
    }

    private static String closest(String name, List<String> candidates) {
        String best = null;
        int bestDistance = Math.max(2, name.length() / 3) + 1;
        for (String c : candidates) {
            int d = distance(name.toLowerCase(java.util.Locale.ROOT), c.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private JType common(List<JType> args, int from, int step) {
        JType t = null;
        for (int i = from; i < args.size(); i += step) {
            JType a = args.get(i).raw().isPrimitive() ? JType.of(box(args.get(i).raw())) : args.get(i);
            if (t == null) t = a;
            else if (!t.equals(a)) return JType.UNKNOWN;
        }
        return t == null ? JType.UNKNOWN : t;
    }

    private JType index(Ast.Index ix) {
        JType target = value(ix.target());
        value(ix.index());
        if (target.isMap()) return target.args().size() == 2 ? target.args().get(1) : JType.UNKNOWN;
        if (List.class.isAssignableFrom(target.raw())) return target.element();
        throw new PolicyException(ix.pos(), "only lists and maps can be indexed with [...]");
    }

    private JType creation(Ast.New n) {
        for (Expr a : n.args()) value(a);
        TypeRules rules = vocabulary.type(n.type()).filter(r -> !n.type().contains(".") || r.type().getName().equals(n.type())).orElse(null);
        if (rules == null || rules.constructors().stream().noneMatch(c -> c.getParameterCount() == n.args().size())) {
            throw new PolicyException(n.pos(), "creating '" + n.type() + "' is not allowed (its constructor is not on the allow-list; "
                    + "a rule may only create a Segment)");
        }
        return JType.of(rules.type());
    }

    private JType binary(Ast.Binary b) {
        JType l = value(b.left());
        JType r = value(b.right());
        switch (b.op()) {
            case "&&": case "||": case "==": case "!=": case "<": case "<=": case ">": case ">=":
                return JType.BOOLEAN;
            case "+":
                if (l.isString() || r.isString()) {
                    if (mode != Mode.JAVA) {
                        throw new PolicyException(b.pos(), "joining text with '+' is not allowed in conditions (it can grow without bound); "
                                + "compare the parts instead");
                    }
                    return JType.STRING;
                }
                // fall through
            default:
                if (!l.isNumeric() && l != JType.UNKNOWN || !r.isNumeric() && r != JType.UNKNOWN) {
                    throw new PolicyException(b.pos(), "syntax", "'" + b.op() + "' needs numbers on both sides");
                }
                return JType.widen(l, r);
        }
    }

    private JType relation(Ast.Relation r) {
        JType left = value(r.left());
        if (r.op().equals("matches")) {
            if (!(r.right() instanceof Ast.Literal lit) || !lit.kind().equals("STRING")) {
                throw new PolicyException(r.right().pos(), "the pattern after 'matches' must be a string literal, so it can be checked when the pack is uploaded");
            }
            if (!left.isString() && left != JType.UNKNOWN) {
                throw new PolicyException(r.pos(), "syntax", "'matches' compares text");
            }
            RegexSafety.check(lit.value(), lit.pos());
            regexes.add(new RegexUse(lit.pos(), lit.value()));
            return JType.BOOLEAN;
        }
        value(r.right());
        return JType.BOOLEAN;
    }

    private static Class<?> box(Class<?> c) {
        if (c == int.class) return Integer.class;
        if (c == long.class) return Long.class;
        if (c == double.class) return Double.class;
        if (c == float.class) return Float.class;
        if (c == boolean.class) return Boolean.class;
        if (c == short.class) return Short.class;
        if (c == byte.class) return Byte.class;
        if (c == char.class) return Character.class;
        return c;
    }

    /** The candidate with a matching number of parameters whose parameters accept the arguments; null when none. */
    static Method pick(List<Method> candidates, List<JType> args) {
        if (candidates == null) return null;
        Method fallback = null;
        for (Method m : candidates) {
            if (!arityMatches(m, args.size())) continue;
            if (fallback == null) fallback = m;
            if (accepts(m, args)) return m;
        }
        return fallback;
    }

    private static boolean arityMatches(Executable m, int n) {
        return m.getParameterCount() == n || m.isVarArgs() && n >= m.getParameterCount() - 1;
    }

    private static boolean accepts(Executable m, List<JType> args) {
        Class<?>[] params = m.getParameterTypes();
        for (int i = 0; i < args.size() && i < params.length; i++) {
            Class<?> p = params[i];
            JType a = args.get(i);
            if (m.isVarArgs() && i == params.length - 1) p = p.getComponentType();
            if (a == JType.UNKNOWN || p == Object.class) continue;
            if (a == JType.NULL) {
                if (p.isPrimitive()) return false;
                continue;
            }
            if (a.isNumeric() && (p.isPrimitive() || Number.class.isAssignableFrom(p)) && p != boolean.class) {
                if (rank(a.raw()) > rank(p)) return false;
                continue;
            }
            if (!box(p).isAssignableFrom(box(a.raw()))) return false;
        }
        return true;
    }

    private static int rank(Class<?> c) {
        Class<?> b = box(c);
        if (b == Byte.class) return 1;
        if (b == Short.class || b == Character.class) return 2;
        if (b == Integer.class) return 3;
        if (b == Long.class) return 4;
        if (b == Float.class) return 5;
        return 6;
    }

    /** Whether {@code type} may be created with {@code argc} arguments (for tests and docs). */
    static boolean constructible(TypeRules type, int argc) {
        for (Constructor<?> c : type.constructors()) if (c.getParameterCount() == argc) return true;
        return false;
    }
}
