package dev.kairos.rules.lint;

import dev.kairos.rules.lint.PackLinter.Atom;
import dev.kairos.rules.policy.internal.Ast;
import dev.kairos.rules.policy.internal.Ast.Expr;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reasoning over comparisons of one field with literals ({@link Atom}s): whether a set of them can
 * hold together, and whether one set implies another. Numbers are intervals plus excluded points;
 * text and truth values are sets of allowed and excluded values.
 */
final class Constraints {
    private Constraints() {}

    /** Why a set of comparisons cannot all hold: the comparison that made it impossible, and a sentence. */
    record Conflict(Atom at, String message) {}

    /** The literal value of {@code e}: a Double, a String or a Boolean; null when it is not a literal. */
    static Object literal(Expr e) {
        if (e instanceof Ast.Unary u && u.op().equals("-") && literal(u.operand()) instanceof Double d) return -d;
        if (!(e instanceof Ast.Literal l)) return null;
        return switch (l.kind()) {
            case "STRING" -> l.value();
            case "BOOLEAN" -> Boolean.valueOf(l.text());
            case "INT", "LONG", "DECIMAL" -> number(l.text());
            default -> null;
        };
    }

    static Integer integer(Expr e) {
        Object v = literal(e);
        return v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e9 ? (int) d.doubleValue() : null;
    }

    private static Double number(String text) {
        String t = text.replace("_", "");
        if (!t.isEmpty() && "lLdDfF".indexOf(t.charAt(t.length() - 1)) >= 0 && !t.startsWith("0x")) t = t.substring(0, t.length() - 1);
        if (t.endsWith("B") || t.endsWith("I")) return null; // BigDecimal/BigInteger literals: not reasoned about
        try {
            return t.startsWith("0x") || t.startsWith("0X") ? (double) Long.parseLong(t.substring(2), 16) : Double.valueOf(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The first impossibility among {@code atoms}, or null when they can all hold at once. */
    static Conflict conflict(List<Atom> atoms) {
        Map<String, Domain> domains = new LinkedHashMap<>();
        for (Atom a : atoms) {
            Domain d = domains.computeIfAbsent(a.key(), k -> new Domain());
            d.add(a);
            if (d.isEmpty()) {
                List<String> texts = new ArrayList<>();
                for (Atom x : d.atoms) texts.add(x.text());
                String what = texts.size() == 1 ? a.text() + " cannot hold" : String.join(" and ", new LinkedHashSet<>(texts)) + " cannot all hold";
                return new Conflict(a, what);
            }
        }
        return null;
    }

    /** True when {@code a} and {@code b} together cannot hold (the rules never match the same decision). */
    static boolean exclusive(List<Atom> a, List<Atom> b) {
        List<Atom> all = new ArrayList<>(a);
        all.addAll(b);
        return conflict(all) != null;
    }

    /** True when every comparison of {@code conclusions} holds whenever all of {@code premises} do. */
    static boolean implies(List<Atom> premises, List<Atom> conclusions) {
        Map<String, Domain> domains = new HashMap<>();
        for (Atom p : premises) domains.computeIfAbsent(p.key(), k -> new Domain()).add(p);
        for (Atom c : conclusions) {
            Domain d = domains.get(c.key());
            if (d == null || !d.entails(c)) return false;
        }
        return true;
    }

    /** The values one field may take under some comparisons. */
    private static final class Domain {
        final List<Atom> atoms = new ArrayList<>();
        double lo = Double.NEGATIVE_INFINITY;
        double hi = Double.POSITIVE_INFINITY;
        boolean loIn = true;
        boolean hiIn = true;
        Set<Object> allowed; // null: not restricted to a finite set
        final Set<Object> excluded = new LinkedHashSet<>();

        void add(Atom a) {
            atoms.add(a);
            List<Object> values = a.values();
            switch (a.op()) {
                case "==", "in" -> {
                    Set<Object> s = new LinkedHashSet<>(values);
                    if (allowed == null) allowed = s;
                    else allowed.retainAll(s);
                }
                case "!=", "not in" -> excluded.addAll(values);
                case "<", "<=", ">", ">=" -> {
                    if (!(values.get(0) instanceof Double v)) return;
                    boolean inclusive = a.op().length() == 2;
                    if (a.op().startsWith(">")) {
                        if (v > lo || v == lo && !inclusive) { lo = v; loIn = inclusive; }
                    } else if (v < hi || v == hi && !inclusive) {
                        hi = v;
                        hiIn = inclusive;
                    }
                }
                default -> { }
            }
        }

        boolean inInterval(Object v) {
            if (!(v instanceof Double d)) return lo == Double.NEGATIVE_INFINITY && hi == Double.POSITIVE_INFINITY;
            return (d > lo || d == lo && loIn) && (d < hi || d == hi && hiIn);
        }

        boolean possible(Object v) { return inInterval(v) && !excluded.contains(v); }

        boolean isEmpty() {
            if (lo > hi || lo == hi && !(loIn && hiIn)) return true;
            if (lo == hi && excluded.contains(lo)) return true;
            if (allowed == null) return false;
            return allowed.stream().noneMatch(this::possible);
        }

        /** True when {@code c} holds for every value this domain allows. */
        boolean entails(Atom c) {
            if (allowed != null) {
                for (Object v : allowed) if (possible(v) && !holds(c, v)) return false;
                return true;
            }
            List<Object> values = c.values();
            return switch (c.op()) {
                case "!=", "not in" -> values.stream().allMatch(v -> !possible(v));
                case ">", ">=" -> values.get(0) instanceof Double v && (lo > v || lo == v && (loIn ? c.op().equals(">=") : true));
                case "<", "<=" -> values.get(0) instanceof Double v && (hi < v || hi == v && (hiIn ? c.op().equals("<=") : true));
                case "==" -> values.get(0) instanceof Double v && lo == v && hi == v && loIn && hiIn;
                default -> false;
            };
        }

        private static boolean holds(Atom c, Object v) {
            List<Object> values = c.values();
            return switch (c.op()) {
                case "==", "in" -> values.contains(v);
                case "!=", "not in" -> !values.contains(v);
                case ">" -> v instanceof Double d && values.get(0) instanceof Double x && d > x;
                case ">=" -> v instanceof Double d && values.get(0) instanceof Double x && d >= x;
                case "<" -> v instanceof Double d && values.get(0) instanceof Double x && d < x;
                case "<=" -> v instanceof Double d && values.get(0) instanceof Double x && d <= x;
                default -> false;
            };
        }

        @Override public String toString() { return Objects.toString(atoms); }
    }
}
