package dev.kairos.rules.policy.internal;

import dev.kairos.rules.policy.internal.Ast.Expr;
import dev.kairos.rules.policy.internal.Ast.Stmt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the code parts of a DRL rule into {@link Ast}: pattern constraints and {@code from}
 * sources (MVEL), and {@code eval} expressions and consequences (Java). The grammar is the part of
 * those languages a Kairos rule may use; everything else is refused by name with its position,
 * so what is accepted here means the same to javac and MVEL. The whole text must be consumed.
 */
public final class Parser {
    /** Deepest expression accepted (nesting and operator chains alike). */
    public static final int MAX_DEPTH = 64;

    private static final Set<String> PRIMITIVES = Set.of("int", "long", "double", "float", "short", "byte", "char", "boolean");
    private static final Map<String, String> STATEMENT_KEYWORDS = Map.ofEntries(
            Map.entry("while", "loops are not allowed in rules"),
            Map.entry("for", "loops are not allowed in rules"),
            Map.entry("do", "loops are not allowed in rules"),
            Map.entry("switch", "switch statements are not allowed; use if/else"),
            Map.entry("try", "exception handling is not allowed in rules"),
            Map.entry("catch", "exception handling is not allowed in rules"),
            Map.entry("finally", "exception handling is not allowed in rules"),
            Map.entry("throw", "throwing exceptions is not allowed in rules"),
            Map.entry("return", "return is not allowed in a consequence"),
            Map.entry("break", "break is not allowed in a consequence"),
            Map.entry("continue", "continue is not allowed in a consequence"),
            Map.entry("synchronized", "synchronized blocks are not allowed in rules"),
            Map.entry("class", "declaring classes is not allowed in rules"),
            Map.entry("interface", "declaring types is not allowed in rules"),
            Map.entry("enum", "declaring types is not allowed in rules"),
            Map.entry("record", "declaring types is not allowed in rules"),
            Map.entry("assert", "assert is not allowed in rules"),
            Map.entry("yield", "yield is not allowed in rules"),
            Map.entry("var", "local variables are not allowed in consequences; write the value where it is used"),
            Map.entry("final", "local variables are not allowed in consequences; write the value where it is used"),
            Map.entry("modify", "modify/update are not part of the Kairos model: facts are read-only"),
            Map.entry("with", "modify/with blocks are not part of the Kairos model: facts are read-only"),
            Map.entry("goto", "goto is not allowed"));
    private static final Set<String> RESERVED = Set.of("abstract", "boolean", "byte", "case", "catch", "char", "class", "const",
            "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally", "float", "for", "goto", "if",
            "implements", "import", "instanceof", "int", "interface", "long", "native", "new", "package", "private",
            "protected", "public", "return", "short", "static", "strictfp", "super", "switch", "synchronized", "this",
            "throw", "throws", "transient", "try", "void", "volatile", "while", "true", "false", "null");

    private final List<Token> tokens;
    private final boolean java;
    private final String text;
    private final int base;
    private int i;
    private int depth;

    private Parser(String text, int base, boolean java) {
        this.tokens = Lexer.tokenize(text, base, java);
        this.java = java;
        this.text = text;
        this.base = base;
    }

    /** A pattern constraint ({@code [$binding :] expression}) starting at {@code base} in the file. */
    public static Ast.Constraint constraint(String text, int base) {
        Parser p = new Parser(text, base, false);
        Token first = p.peek();
        String binding = null;
        if (first.kind() == Token.Kind.IDENT && p.peek(1).isOp(":")) {
            binding = first.text();
            p.i += 2;
        } else if (first.kind() == Token.Kind.IDENT && p.peek(1).isOp(":") && p.peek(2).isOp("=")) {
            throw new PolicyException(first.start(), "unification (:=) is not allowed; bind with ':' and compare with '=='");
        }
        Expr e = p.expression(true);
        p.expectEnd();
        return new Ast.Constraint(first.start(), binding, e);
    }

    /** An MVEL expression (a {@code from} source or an accumulate argument). */
    public static Expr mvelExpression(String text, int base) {
        Parser p = new Parser(text, base, false);
        Expr e = p.expression(false);
        p.expectEnd();
        return e;
    }

    /** A Java expression (the content of {@code eval(...)}). */
    public static Expr javaExpression(String text, int base) {
        Parser p = new Parser(text, base, true);
        Expr e = p.expression(false);
        p.expectEnd();
        return e;
    }

    /**
     * A consequence: Java statements, handed to {@code each} as they are parsed, so the statements
     * before a syntax error are still checked.
     */
    public static void consequence(String text, int base, java.util.function.Consumer<Stmt> each) {
        Parser p = new Parser(text, base, true);
        while (p.peek().kind() != Token.Kind.EOF) each.accept(p.statement());
    }

    // --- statements --------------------------------------------------------------------------

    private Stmt statement() {
        enter(peek());
        chainLength = 0;
        try {
            Token t = peek();
            if (t.isOp(";")) {
                i++;
                return new Ast.Block(t.start(), List.of());
            }
            if (t.isOp("{")) {
                i++;
                List<Stmt> body = new ArrayList<>();
                while (!peek().isOp("}")) {
                    if (peek().kind() == Token.Kind.EOF) throw new PolicyException(t.start(), "syntax", "unclosed '{'");
                    body.add(statement());
                }
                i++;
                return new Ast.Block(t.start(), body);
            }
            if (t.kind() == Token.Kind.IDENT) {
                if (t.text().equals("if")) {
                    i++;
                    expect("(");
                    Expr c = expression(false);
                    expect(")");
                    Stmt then = statement();
                    Stmt otherwise = null;
                    if (peek().is("else")) {
                        i++;
                        otherwise = statement();
                    }
                    return new Ast.If(t.start(), c, then, otherwise);
                }
                String refusal = STATEMENT_KEYWORDS.get(t.text());
                if (refusal != null) throw new PolicyException(t.start(), "'" + t.text() + "': " + refusal);
                if (PRIMITIVES.contains(t.text()) || peek(1).kind() == Token.Kind.IDENT && !t.text().equals("new")
                        || peek(1).isOp("<") && looksLikeGenericDeclaration()
                        || peek(1).isOp("[") && peek(2).isOp("]")) {
                    throw new PolicyException(t.start(), "local variables are not allowed in consequences; write the value where it is used");
                }
            }
            Expr e = expression(false);
            expect(";");
            return new Ast.ExprStmt(t.start(), e);
        } finally {
            depth--;
        }
    }

    private boolean looksLikeGenericDeclaration() {
        int j = i + 1;
        int angle = 0;
        for (; j < tokens.size(); j++) {
            Token t = tokens.get(j);
            if (t.isOp("<")) angle++;
            else if (t.isOp(">")) angle--;
            else if (t.isOp(">>")) angle -= 2;
            else if (t.kind() != Token.Kind.IDENT && !t.isOp(",") && !t.isOp(".") && !t.isOp("?")) return false;
            if (angle <= 0) break;
        }
        return j + 1 < tokens.size() && tokens.get(j + 1).kind() == Token.Kind.IDENT;
    }

    // --- expressions -------------------------------------------------------------------------

    /** {@code halfAllowed}: a pattern constraint, where {@code x > 1 && < 5} abbreviates {@code x > 1 && x < 5}. */
    private Expr expression(boolean halfAllowed) {
        enter(peek());
        try {
            Expr c = or(halfAllowed);
            Token t = peek();
            if (t.isOp("?")) {
                i++;
                Expr a = expression(false);
                expect(":");
                Expr b = expression(false);
                return new Ast.Conditional(t.start(), c, a, b);
            }
            refuseAssignment(t);
            return c;
        } finally {
            depth--;
        }
    }

    private void refuseAssignment(Token t) {
        if (t.kind() == Token.Kind.OP && (t.text().equals("=") || t.text().length() >= 2 && t.text().endsWith("=")
                && !t.text().equals("==") && !t.text().equals("!=") && !t.text().equals("<=") && !t.text().equals(">="))) {
            throw new PolicyException(t.start(), "assignment ('" + t.text() + "') is not allowed in rules; compare with '=='");
        }
    }

    private Expr or(boolean half) {
        Expr left = and(half);
        while (peek().isOp("||")) {
            Token op = next();
            Expr right = and(half, left);
            left = new Ast.Binary(op.start(), "||", left, right);
            checkDepth(op);
        }
        return left;
    }

    private Expr and(boolean half) {
        return and(half, null);
    }

    /** {@code previous}: the expression before a '||', whose left side a half constraint reuses. */
    private Expr and(boolean half, Expr previous) {
        Expr left = half && isRelationalStart(peek()) && previous != null ? halfConstraint(previous) : relation();
        while (peek().isOp("&&")) {
            Token op = next();
            Expr right = half && isRelationalStart(peek()) ? halfConstraint(left) : relation();
            left = new Ast.Binary(op.start(), "&&", left, right);
            checkDepth(op);
        }
        return left;
    }

    private boolean isRelationalStart(Token t) {
        return t.isOp("==") || t.isOp("!=") || t.isOp("<") || t.isOp("<=") || t.isOp(">") || t.isOp(">=")
                || t.kind() == Token.Kind.IDENT && Set.of("in", "matches", "contains", "memberOf", "not").contains(t.text());
    }

    /** Builds {@code left op right} for a half constraint, reusing the left side of the nearest relation in {@code before}. */
    private Expr halfConstraint(Expr before) {
        Expr subject = subjectOf(before);
        if (subject == null) throw new PolicyException(peek().start(), "syntax", "this abbreviated comparison has nothing to compare");
        return relationTail(subject);
    }

    private static Expr subjectOf(Expr e) {
        if (e instanceof Ast.Binary b) {
            if (b.op().equals("&&") || b.op().equals("||")) return subjectOf(b.right());
            if (Set.of("==", "!=", "<", "<=", ">", ">=").contains(b.op())) return b.left();
        }
        if (e instanceof Ast.In in) return in.left();
        if (e instanceof Ast.Relation r) return r.left();
        return null;
    }

    private Expr relation() {
        Expr left = additive();
        Token t = peek();
        if (isRelationalStart(t) && !(t.kind() == Token.Kind.IDENT && t.text().equals("not") && !isNotOperator())) {
            Expr r = relationTail(left);
            Token after = peek();
            if (isRelationalStart(after) && after.kind() == Token.Kind.OP) {
                throw new PolicyException(after.start(), "syntax", "comparisons cannot be chained; join them with &&");
            }
            return r;
        }
        if (t.is("instanceof")) throw new PolicyException(t.start(), "instanceof is not allowed in rules");
        return left;
    }

    private boolean isNotOperator() {
        Token n = peek(1);
        return n.kind() == Token.Kind.IDENT && Set.of("in", "matches", "contains", "memberOf").contains(n.text());
    }

    private Expr relationTail(Expr left) {
        Token t = next();
        if (t.kind() == Token.Kind.OP) {
            Expr right = additive();
            return new Ast.Binary(t.start(), t.text(), left, right);
        }
        boolean negated = false;
        Token op = t;
        if (t.text().equals("not")) {
            negated = true;
            op = next();
            if (op.kind() != Token.Kind.IDENT || !Set.of("in", "matches", "contains", "memberOf").contains(op.text())) {
                throw new PolicyException(op.start(), "syntax", "expected in, matches, contains or memberOf after 'not'");
            }
        }
        if (java) throw new PolicyException(op.start(), "'" + op.text() + "' is a condition operator; it is not Java");
        if (op.text().equals("in")) {
            expect("(");
            List<Expr> values = new ArrayList<>();
            if (!peek().isOp(")")) {
                do {
                    values.add(expression(false));
                } while (accept(","));
            }
            expect(")");
            return new Ast.In(op.start(), left, negated, values);
        }
        Expr right = additive();
        return new Ast.Relation(op.start(), op.text(), negated, left, right);
    }

    private Expr additive() {
        Expr left = multiplicative();
        while (peek().isOp("+") || peek().isOp("-")) {
            Token op = next();
            left = new Ast.Binary(op.start(), op.text(), left, multiplicative());
            checkDepth(op);
        }
        refuseBitwise(peek());
        return left;
    }

    private int chainLength;

    private void checkDepth(Token at) {
        if (++chainLength > MAX_DEPTH) {
            throw new PolicyException(at.start(), "limit", "an expression with more than " + MAX_DEPTH + " operators; split it into several conditions");
        }
    }

    private Expr multiplicative() {
        Expr left = unary();
        while (peek().isOp("*") || peek().isOp("/") || peek().isOp("%")) {
            Token op = next();
            left = new Ast.Binary(op.start(), op.text(), left, unary());
            checkDepth(op);
        }
        return left;
    }

    private void refuseBitwise(Token t) {
        if (t.kind() == Token.Kind.OP && Set.of("&", "|", "^", "~", "<<", ">>", ">>>").contains(t.text())) {
            throw new PolicyException(t.start(), "bitwise operators are not allowed in rules");
        }
    }

    private Expr unary() {
        Token t = peek();
        enter(t);
        try {
            if (t.isOp("!") || t.isOp("-") || t.isOp("+")) {
                i++;
                return new Ast.Unary(t.start(), t.text(), unary());
            }
            if (t.isOp("++") || t.isOp("--")) throw new PolicyException(t.start(), "increment and decrement are not allowed in rules");
            if (t.isOp("~")) throw new PolicyException(t.start(), "bitwise operators are not allowed in rules");
            if (t.isOp("(") && peek(1).kind() == Token.Kind.IDENT && PRIMITIVES.contains(peek(1).text()) && peek(2).isOp(")")) {
                i += 3;
                return new Ast.Cast(t.start(), tokens.get(i - 2).text(), unary());
            }
            if (t.isOp("(") && peek(1).kind() == Token.Kind.IDENT && Character.isUpperCase(peek(1).text().charAt(0)) && peek(2).isOp(")")
                    && !peek(3).isOp(".") && startsOperand(peek(3))) {
                throw new PolicyException(t.start(), "casts to reference types are not allowed in rules");
            }
            return postfix(primary());
        } finally {
            depth--;
        }
    }

    private static boolean startsOperand(Token t) {
        return t.kind() != Token.Kind.OP && t.kind() != Token.Kind.EOF || t.isOp("(") || t.isOp("!");
    }

    private Expr postfix(Expr e) {
        while (true) {
            Token t = peek();
            if (t.isOp(".") || t.isOp("!.")) {
                i++;
                Token name = next();
                if (name.is("class")) throw new PolicyException(name.start(), "class literals (.class) are not allowed in rules");
                if (name.is("new")) throw new PolicyException(name.start(), "inner class creation is not allowed in rules");
                if (name.isOp("<")) throw new PolicyException(name.start(), "explicit type arguments are not allowed in rules");
                if (name.kind() != Token.Kind.IDENT || RESERVED.contains(name.text())) {
                    throw new PolicyException(name.start(), "syntax", "expected a name after '.' but found " + name);
                }
                if (peek().isOp("(")) {
                    e = new Ast.Call(name.start(), e, name.text(), arguments(), t.isOp("!."));
                } else {
                    e = new Ast.Select(name.start(), e, name.text(), t.isOp("!."));
                }
                checkDepth(name);
            } else if (t.isOp("[")) {
                i++;
                Expr index = expression(false);
                expect("]");
                e = new Ast.Index(t.start(), e, index);
                checkDepth(t);
            } else if (t.isOp("::")) {
                throw new PolicyException(t.start(), "method references (::) are not allowed in rules");
            } else if (t.isOp("#")) {
                throw new PolicyException(t.start(), "inline casts (#) are not allowed in rules");
            } else if (t.isOp("++") || t.isOp("--")) {
                throw new PolicyException(t.start(), "increment and decrement are not allowed in rules");
            } else {
                return e;
            }
        }
    }

    private List<Expr> arguments() {
        expect("(");
        List<Expr> args = new ArrayList<>();
        if (!peek().isOp(")")) {
            do {
                args.add(expression(false));
            } while (accept(","));
        }
        expect(")");
        return args;
    }

    private Expr primary() {
        Token t = next();
        switch (t.kind()) {
            case STRING: return new Ast.Literal(t.start(), "STRING", t.text(), t.value());
            case CHAR: return new Ast.Literal(t.start(), "CHAR", t.text(), t.value());
            case INT: return new Ast.Literal(t.start(), "INT", t.text(), t.text());
            case LONG: return new Ast.Literal(t.start(), "LONG", t.text(), t.text());
            case DECIMAL: return new Ast.Literal(t.start(), "DECIMAL", t.text(), t.text());
            case EOF: throw new PolicyException(t.start(), "syntax", "expected an expression but the text ended");
            default: break;
        }
        if (t.isOp("(")) {
            if (peek().kind() == Token.Kind.IDENT && (peek(1).isOp("->") || peek(1).isOp(",") && lambdaAhead())) {
                throw new PolicyException(t.start(), "lambda expressions are not allowed in rules");
            }
            if (peek().isOp(")") && peek(1).isOp("->")) throw new PolicyException(t.start(), "lambda expressions are not allowed in rules");
            Expr e = expression(false);
            expect(")");
            return e;
        }
        if (t.isOp("[")) throw new PolicyException(t.start(), "inline lists and maps ([...]) are not allowed; use List.of(...) or Map.of(...)");
        if (t.isOp("{")) throw new PolicyException(t.start(), "array initializers are not allowed in rules");
        if (t.isOp("@")) throw new PolicyException(t.start(), "annotations are not allowed in rule code");
        if (t.kind() != Token.Kind.IDENT) throw new PolicyException(t.start(), "syntax", "unexpected " + t);
        String id = t.text();
        switch (id) {
            case "true": case "false": return new Ast.Literal(t.start(), "BOOLEAN", id, id);
            case "null": return new Ast.Literal(t.start(), "NULL", id, null);
            case "this": return new Ast.This(t.start());
            case "super": throw new PolicyException(t.start(), "'super' is not allowed in rules");
            case "class": throw new PolicyException(t.start(), "'class' (an object's class) is not readable in rules");
            case "new": return creation(t);
            case "switch": throw new PolicyException(t.start(), "switch expressions are not allowed; use a ?: b");
            default: break;
        }
        if (peek().isOp("->")) throw new PolicyException(t.start(), "lambda expressions are not allowed in rules");
        if (RESERVED.contains(id)) throw new PolicyException(t.start(), "syntax", "unexpected keyword '" + id + "'");
        if (peek().isOp("(")) return new Ast.Call(t.start(), null, id, arguments(), false);
        return new Ast.Name(t.start(), id);
    }

    private boolean lambdaAhead() {
        for (int j = i; j < tokens.size(); j++) {
            Token t = tokens.get(j);
            if (t.isOp(")")) return j + 1 < tokens.size() && tokens.get(j + 1).isOp("->");
            if (t.kind() != Token.Kind.IDENT && !t.isOp(",")) return false;
        }
        return false;
    }

    private Expr creation(Token at) {
        StringBuilder type = new StringBuilder();
        Token n = next();
        if (n.kind() != Token.Kind.IDENT) throw new PolicyException(n.start(), "syntax", "expected a type after 'new'");
        if (PRIMITIVES.contains(n.text())) throw new PolicyException(at.start(), "creating arrays is not allowed in rules");
        type.append(n.text());
        while (peek().isOp(".")) {
            i++;
            Token part = next();
            if (part.kind() != Token.Kind.IDENT) throw new PolicyException(part.start(), "syntax", "expected a type name");
            type.append('.').append(part.text());
        }
        if (peek().isOp("<")) throw new PolicyException(peek().start(), "generic type arguments are not allowed in rules");
        if (peek().isOp("[")) throw new PolicyException(at.start(), "creating arrays is not allowed in rules");
        List<Expr> args = arguments();
        if (peek().isOp("{")) throw new PolicyException(peek().start(), "anonymous classes are not allowed in rules");
        return new Ast.New(at.start(), type.toString(), args);
    }

    // --- tokens ------------------------------------------------------------------------------

    private void enter(Token at) {
        if (++depth > MAX_DEPTH) throw new PolicyException(at.start(), "limit", "code nested more than " + MAX_DEPTH + " deep");
    }

    private Token peek() { return tokens.get(Math.min(i, tokens.size() - 1)); }

    private Token peek(int ahead) { return tokens.get(Math.min(i + ahead, tokens.size() - 1)); }

    private Token next() {
        Token t = peek();
        if (i < tokens.size() - 1) i++;
        return t;
    }

    private boolean accept(String op) {
        if (peek().isOp(op)) {
            i++;
            return true;
        }
        return false;
    }

    private void expect(String op) {
        int at = Math.min(i, tokens.size() - 1);
        Token t = next();
        if (!t.isOp(op)) {
            refuseAssignment(t);
            Token before = at > 0 ? tokens.get(at - 1) : null;
            if (before != null && (t.kind() == Token.Kind.EOF || lineBreakBetween(before, t))) {
                // what is missing belongs right after the last token, not at the start of the next line
                throw new PolicyException(before.end(), "syntax", "missing '" + op + "' after " + before);
            }
            throw new PolicyException(t.start(), "syntax", "expected '" + op + "' but found " + t);
        }
    }

    private boolean lineBreakBetween(Token a, Token b) {
        int from = Math.max(0, a.end() - base);
        int to = Math.min(text.length(), b.start() - base);
        return from < to && text.substring(from, to).indexOf('\n') >= 0;
    }

    private void expectEnd() {
        Token t = peek();
        if (t.kind() != Token.Kind.EOF) {
            refuseAssignment(t);
            refuseBitwise(t);
            if (t.isOp(";")) throw new PolicyException(t.start(), "one expression only: ';' would start a second statement");
            if (t.isOp("->")) throw new PolicyException(t.start(), "lambda expressions are not allowed in rules");
            if (t.isOp("::")) throw new PolicyException(t.start(), "method references (::) are not allowed in rules");
            throw new PolicyException(t.start(), "syntax", "unexpected " + t + " after the expression");
        }
    }
}
