package dev.kairos.rules.policy.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits rule code (a constraint, a {@code from} source, an {@code eval} or a consequence) into
 * tokens the way javac and MVEL both read it, and refuses whatever they could read differently.
 * Strict on purpose: identifiers are ASCII, numbers are plain decimal, unicode escapes were
 * already limited to harmless characters inside string literals ({@link SourceScan}), and text
 * blocks, hexadecimal and underscores in numbers are refused. In constraint mode (MVEL) a
 * single-quoted literal is a string; in Java mode it is a character.
 */
public final class Lexer {
    private static final String[] OPERATORS = {
            ">>>=", "<<=", ">>=", ">>>", "...", "->", "::", "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=",
            "*=", "/=", "%=", "&=", "|=", "^=", "<<", "!.",
            "(", ")", "[", "]", "{", "}", ",", ";", ".", ":", "?", "<", ">", "!", "~", "+", "-", "*", "/", "%", "&",
            "|", "^", "=", "@", "#"};

    private final String text;
    private final int base;
    private final boolean java;
    private int pos;

    private Lexer(String text, int base, boolean java) {
        this.text = text;
        this.base = base;
        this.java = java;
    }

    /**
     * Tokens of {@code text}; offsets are {@code base} plus the position in {@code text}.
     * {@code java}: the text is Java (a consequence or eval) rather than an MVEL constraint.
     */
    public static List<Token> tokenize(String text, int base, boolean java) {
        Lexer l = new Lexer(text, base, java);
        List<Token> out = new ArrayList<>();
        Token t;
        do {
            t = l.next();
            out.add(t);
        } while (t.kind() != Token.Kind.EOF);
        return out;
    }

    private Token next() {
        skipSpaceAndComments();
        if (pos >= text.length()) return new Token(Token.Kind.EOF, "", null, base + pos, base + pos);
        char c = text.charAt(pos);
        int start = pos;
        if (Character.isLetter(c) && c < 128 || c == '_' || c == '$') {
            while (pos < text.length() && isIdentPart(text.charAt(pos))) pos++;
            return token(Token.Kind.IDENT, start, null);
        }
        if (c >= 128 || Character.isLetter(c)) {
            throw new PolicyException(base + pos, "syntax", "unexpected character '" + c + "' (identifiers are ASCII letters, digits, '_' and '$')");
        }
        if (Character.isDigit(c) || c == '.' && pos + 1 < text.length() && Character.isDigit(text.charAt(pos + 1))) {
            return number(start);
        }
        if (c == '"') {
            if (text.startsWith("\"\"\"", pos)) throw new PolicyException(base + pos, "text blocks (\"\"\") are not allowed; use a plain \"string\"");
            return string(start, '"', Token.Kind.STRING);
        }
        if (c == '\'') {
            Token t = string(start, '\'', java ? Token.Kind.CHAR : Token.Kind.STRING);
            if (java && t.value().length() != 1) throw new PolicyException(base + start, "syntax", "a character literal holds one character; use \"double quotes\" for text");
            return t;
        }
        if (c == '\\') throw new PolicyException(base + pos, "a backslash is only allowed inside a string literal");
        for (String op : OPERATORS) {
            if (text.startsWith(op, pos)) {
                pos += op.length();
                return token(Token.Kind.OP, start, null);
            }
        }
        throw new PolicyException(base + pos, "syntax", "unexpected character '" + c + "'");
    }

    private static boolean isIdentPart(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '$');
    }

    private Token token(Token.Kind kind, int start, String value) {
        return new Token(kind, text.substring(start, pos), value, base + start, base + pos);
    }

    private void skipSpaceAndComments() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                pos++;
            } else if (text.startsWith("//", pos)) {
                while (pos < text.length() && text.charAt(pos) != '\n' && text.charAt(pos) != '\r') pos++;
            } else if (text.startsWith("/*", pos)) {
                int end = text.indexOf("*/", pos + 2);
                if (end < 0) throw new PolicyException(base + pos, "syntax", "unterminated comment");
                pos = end + 2;
            } else {
                return;
            }
        }
    }

    private Token number(int start) {
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
        boolean decimal = false;
        if (pos < text.length() && text.charAt(pos) == '.' && pos + 1 < text.length() && Character.isDigit(text.charAt(pos + 1))) {
            decimal = true;
            pos++;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            int save = pos;
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) pos++;
            if (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                decimal = true;
                while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
            } else {
                pos = save;
            }
        }
        Token.Kind kind = decimal ? Token.Kind.DECIMAL : Token.Kind.INT;
        if (pos < text.length()) {
            char s = text.charAt(pos);
            if (s == 'L' || s == 'l') {
                if (decimal) throw new PolicyException(base + start, "syntax", "malformed number");
                kind = Token.Kind.LONG;
                pos++;
            } else if (s == 'd' || s == 'D' || s == 'f' || s == 'F') {
                kind = Token.Kind.DECIMAL;
                pos++;
            }
        }
        if (pos < text.length() && isIdentPart(text.charAt(pos))) {
            throw new PolicyException(base + start, "numbers are plain decimals such as 42, 42L or 0.8 (no hexadecimal, underscores or other suffixes)");
        }
        String t = text.substring(start, pos);
        if (kind == Token.Kind.INT) {
            try {
                Integer.parseInt(t);
            } catch (NumberFormatException e) {
                throw new PolicyException(base + start, "syntax", "integer " + t + " is out of range; add L for a long");
            }
        }
        return token(kind, start, null);
    }

    private Token string(int start, char quote, Token.Kind kind) {
        StringBuilder value = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= text.length() || text.charAt(pos) == '\n' || text.charAt(pos) == '\r') {
                throw new PolicyException(base + start, "syntax", "unterminated string literal");
            }
            char c = text.charAt(pos);
            if (c == quote) {
                pos++;
                return token(kind, start, value.toString());
            }
            if (c == '\\') {
                pos++;
                if (pos >= text.length()) throw new PolicyException(base + start, "syntax", "unterminated string literal");
                char e = text.charAt(pos);
                switch (e) {
                    case 'b' -> value.append('\b');
                    case 't' -> value.append('\t');
                    case 'n' -> value.append('\n');
                    case 'f' -> value.append('\f');
                    case 'r' -> value.append('\r');
                    case 's' -> value.append(' ');
                    case '"', '\'', '\\' -> value.append(e);
                    case 'u' -> {
                        if (!java) {
                            throw new PolicyException(base + pos - 1, "syntax", "conditions cannot read unicode escapes (\\u....); write the character itself");
                        }
                        int p = pos;
                        while (p < text.length() && text.charAt(p) == 'u') p++;
                        if (p + 4 > text.length()) throw new PolicyException(base + pos - 1, "syntax", "malformed unicode escape");
                        try {
                            value.append((char) Integer.parseInt(text.substring(p, p + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw new PolicyException(base + pos - 1, "syntax", "malformed unicode escape");
                        }
                        pos = p + 3;
                    }
                    default -> {
                        if (e >= '0' && e <= '7') {
                            int v = 0;
                            int n = 0;
                            while (n < 3 && pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '7') {
                                v = v * 8 + (text.charAt(pos) - '0');
                                pos++;
                                n++;
                            }
                            pos--;
                            value.append((char) v);
                        } else {
                            throw new PolicyException(base + pos - 1, "syntax", "unknown escape sequence '\\" + e + "'");
                        }
                    }
                }
                pos++;
            } else {
                value.append(c);
                pos++;
            }
        }
    }
}
