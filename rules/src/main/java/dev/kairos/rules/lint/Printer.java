package dev.kairos.rules.lint;

import dev.kairos.rules.policy.internal.Ast;
import dev.kairos.rules.policy.internal.Ast.Expr;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** Canonical text of an expression (same text for the same condition however it was spaced), and a walk over it. */
public final class Printer {
    private Printer() {}

    public static String print(Expr e) {
        if (e == null) return "";
        if (e instanceof Ast.Literal l) return l.text();
        if (e instanceof Ast.Name n) return n.id();
        if (e instanceof Ast.This) return "this";
        if (e instanceof Ast.Select s) return print(s.target()) + (s.nullSafe() ? "!." : ".") + s.name();
        if (e instanceof Ast.Call c) return (c.target() == null ? "" : print(c.target()) + (c.nullSafe() ? "!." : ".")) + c.name() + "(" + list(c.args()) + ")";
        if (e instanceof Ast.Index ix) return print(ix.target()) + "[" + print(ix.index()) + "]";
        if (e instanceof Ast.New n) return "new " + n.type() + "(" + list(n.args()) + ")";
        if (e instanceof Ast.Unary u) return u.op() + print(u.operand());
        if (e instanceof Ast.Binary b) return wrap(b.left()) + " " + b.op() + " " + wrap(b.right());
        if (e instanceof Ast.In in) return print(in.left()) + (in.negated() ? " not in (" : " in (") + list(in.values()) + ")";
        if (e instanceof Ast.Relation r) return print(r.left()) + (r.negated() ? " not " : " ") + r.op() + " " + print(r.right());
        if (e instanceof Ast.Conditional c) return print(c.condition()) + " ? " + print(c.then()) + " : " + print(c.otherwise());
        if (e instanceof Ast.Cast c) return "(" + c.type() + ") " + print(c.operand());
        return e.getClass().getSimpleName();
    }

    private static String wrap(Expr e) {
        return e instanceof Ast.Binary || e instanceof Ast.Conditional ? "(" + print(e) + ")" : print(e);
    }

    private static String list(List<Expr> args) { return args.stream().map(Printer::print).collect(Collectors.joining(", ")); }

    /** Visits {@code e} and every expression inside it. */
    static void walk(Expr e, Consumer<Expr> visit) {
        if (e == null) return;
        visit.accept(e);
        if (e instanceof Ast.Select s) walk(s.target(), visit);
        else if (e instanceof Ast.Call c) { walk(c.target(), visit); c.args().forEach(a -> walk(a, visit)); }
        else if (e instanceof Ast.Index ix) { walk(ix.target(), visit); walk(ix.index(), visit); }
        else if (e instanceof Ast.New n) n.args().forEach(a -> walk(a, visit));
        else if (e instanceof Ast.Unary u) walk(u.operand(), visit);
        else if (e instanceof Ast.Binary b) { walk(b.left(), visit); walk(b.right(), visit); }
        else if (e instanceof Ast.In in) { walk(in.left(), visit); in.values().forEach(v -> walk(v, visit)); }
        else if (e instanceof Ast.Relation r) { walk(r.left(), visit); walk(r.right(), visit); }
        else if (e instanceof Ast.Conditional c) { walk(c.condition(), visit); walk(c.then(), visit); walk(c.otherwise(), visit); }
        else if (e instanceof Ast.Cast c) walk(c.operand(), visit);
    }
}
