package dev.kairos.rules.policy.internal;

/**
 * One token of rule code: its kind, its text as written, its decoded value (string literals) and
 * where it starts and ends in the checked text (offsets, end exclusive).
 */
public record Token(Kind kind, String text, String value, int start, int end) {
    /** Token kinds; {@code OP} covers punctuation and operators. */
    public enum Kind { IDENT, INT, LONG, DECIMAL, STRING, CHAR, OP, EOF }

    public boolean is(String op) { return (kind == Kind.OP || kind == Kind.IDENT) && text.equals(op); }

    public boolean isOp(String op) { return kind == Kind.OP && text.equals(op); }

    @Override public String toString() { return kind == Kind.EOF ? "end of text" : "'" + text + "'"; }
}
