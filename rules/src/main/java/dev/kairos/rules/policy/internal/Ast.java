package dev.kairos.rules.policy.internal;

import java.util.List;

/** The parsed form of rule code; every node knows the offset it starts at in the checked file. */
public final class Ast {
    private Ast() {}

    /** An expression. */
    public sealed interface Expr permits Literal, Name, This, Select, Call, Index, New, Unary, Binary, In, Relation, Conditional, Cast {
        int pos();
    }

    /** A literal; {@code kind} is STRING, CHAR, INT, LONG, DECIMAL, BOOLEAN or NULL. */
    public record Literal(int pos, String kind, String text, String value) implements Expr {}
    /** A bare identifier: a binding, a property of the pattern's fact, a type or a package. */
    public record Name(int pos, String id) implements Expr {}
    public record This(int pos) implements Expr {}
    /** {@code target.name} ({@code target!.name} when null-safe). */
    public record Select(int pos, Expr target, String name, boolean nullSafe) implements Expr {}
    /** {@code name(args)} or {@code target.name(args)}. */
    public record Call(int pos, Expr target, String name, List<Expr> args, boolean nullSafe) implements Expr {}
    /** {@code target[index]}. */
    public record Index(int pos, Expr target, Expr index) implements Expr {}
    /** {@code new Type(args)}; {@code type} is the name as written, possibly dotted. */
    public record New(int pos, String type, List<Expr> args) implements Expr {}
    public record Unary(int pos, String op, Expr operand) implements Expr {}
    /** Arithmetic, logical and comparison operators. */
    public record Binary(int pos, String op, Expr left, Expr right) implements Expr {}
    /** {@code left [not] in (values)}. */
    public record In(int pos, Expr left, boolean negated, List<Expr> values) implements Expr {}
    /** {@code left [not] matches|contains|memberOf right}. */
    public record Relation(int pos, String op, boolean negated, Expr left, Expr right) implements Expr {}
    public record Conditional(int pos, Expr condition, Expr then, Expr otherwise) implements Expr {}
    /** {@code (int) x} and the other primitive casts. */
    public record Cast(int pos, String type, Expr operand) implements Expr {}

    /** A constraint of a pattern: an expression, optionally bound ({@code $x : expr}). */
    public record Constraint(int pos, String binding, Expr expr) {}

    /** A statement of a consequence. */
    public sealed interface Stmt permits ExprStmt, If, Block {
        int pos();
    }

    public record ExprStmt(int pos, Expr expr) implements Stmt {}
    public record If(int pos, Expr condition, Stmt then, Stmt otherwise) implements Stmt {}
    public record Block(int pos, List<Stmt> body) implements Stmt {}
}
