package dev.kairos.rules.policy.internal;

/**
 * Checks a whole DRL file before any parser sees it, on the raw text:
 * <ul>
 *   <li><b>Unicode escapes.</b> javac translates {@code \}{@code uXXXX} everywhere, comments included,
 *       before it reads a single token, so {@code \}{@code u0022} closes a string literal and
 *       {@code \}{@code u000a} ends a comment; the DRL parser and MVEL do not. An escape is allowed
 *       only inside a string literal and only when it stands for an ordinary character (not a
 *       quote, a backslash or a line break), so every reader sees the same tokens.</li>
 *   <li><b>Depth.</b> Brackets nested deeper than {@link #MAX_NESTING} and name chains longer than
 *       {@link #MAX_CHAIN} ({@code a.b.c…}) are refused: recursive parsers downstream would run out
 *       of stack on them.</li>
 * </ul>
 */
public final class SourceScan {
    /** Deepest nesting of (), [] and {} accepted. */
    public static final int MAX_NESTING = 32;
    /** Most dots accepted in one chain of names. */
    public static final int MAX_CHAIN = 24;

    private SourceScan() {}

    /** Throws a {@link PolicyException} at the first offending position of {@code drl}. */
    public static void check(String drl) {
        int n = drl.length();
        int depth = 0;
        int[] chain = new int[MAX_NESTING + 2];
        boolean lineStart = true;
        int i = 0;
        while (i < n) {
            char c = drl.charAt(i);
            if (c == '/' && i + 1 < n && drl.charAt(i + 1) == '/' || c == '#' && lineStart) {
                int end = i;
                while (end < n && drl.charAt(end) != '\n' && drl.charAt(end) != '\r') end++;
                noEscapes(drl, i, end, "a comment");
                i = end;
            } else if (c == '/' && i + 1 < n && drl.charAt(i + 1) == '*') {
                int end = drl.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                noEscapes(drl, i, end, "a comment");
                i = end;
            } else if (c == '"' || c == '\'') {
                i = string(drl, i, c);
                chain[depth] = 0;
                lineStart = false;
            } else if (Character.isJavaIdentifierStart(c)) {
                while (i < n && Character.isJavaIdentifierPart(drl.charAt(i))) i++;
                lineStart = false;
            } else {
                if (c == '\n' || c == '\r') {
                    lineStart = true;
                } else if (c != ' ' && c != '\t' && c != '\f') {
                    lineStart = false;
                    if (c == '\\' && escapeAt(drl, i)) {
                        throw new PolicyException(i, "unicode escapes (\\u....) are allowed only inside string literals");
                    }
                    if (c == '(' || c == '[' || c == '{') {
                        if (++depth > MAX_NESTING) throw new PolicyException(i, "limit", "brackets nested more than " + MAX_NESTING + " deep");
                        chain[depth] = 0;
                    } else if (c == ')' || c == ']' || c == '}') {
                        depth = Math.max(0, depth - 1);
                    } else if (c == '.') {
                        if (++chain[depth] > MAX_CHAIN) {
                            throw new PolicyException(i, "limit", "a chain of more than " + MAX_CHAIN + " names or calls (a.b.c...)");
                        }
                    } else if (c != '!') {
                        chain[depth] = 0;
                    }
                }
                i++;
            }
        }
    }

    /** Skips a string literal starting at {@code start}; checks the unicode escapes inside it. */
    private static int string(String drl, int start, char quote) {
        int i = start + 1;
        int n = drl.length();
        while (i < n) {
            char c = drl.charAt(i);
            if (c == quote || c == '\n' || c == '\r') return c == quote ? i + 1 : i;
            if (c == '\\' && i + 1 < n) {
                if (drl.charAt(i + 1) == 'u') {
                    int p = i + 1;
                    while (p < n && drl.charAt(p) == 'u') p++;
                    char produced = decode(drl, p, i);
                    if (produced == '"' || produced == '\'' || produced == '\\' || produced == '\n' || produced == '\r') {
                        throw new PolicyException(i, "a unicode escape may not stand for a quote, a backslash or a line break (javac would read it as code)");
                    }
                    i = p + 4;
                } else {
                    i += 2;
                }
                continue;
            }
            i++;
        }
        return i;
    }

    private static char decode(String drl, int hexStart, int at) {
        if (hexStart + 4 > drl.length()) throw new PolicyException(at, "syntax", "malformed unicode escape");
        try {
            return (char) Integer.parseInt(drl.substring(hexStart, hexStart + 4), 16);
        } catch (NumberFormatException e) {
            throw new PolicyException(at, "syntax", "malformed unicode escape");
        }
    }

    /** True when the backslash at {@code i} starts a unicode escape as javac sees it (JLS 3.3). */
    private static boolean escapeAt(String drl, int i) {
        if (i + 1 >= drl.length() || drl.charAt(i + 1) != 'u') return false;
        int backslashes = 0;
        for (int j = i - 1; j >= 0 && drl.charAt(j) == '\\'; j--) backslashes++;
        return backslashes % 2 == 0;
    }

    private static void noEscapes(String drl, int from, int to, String where) {
        for (int i = from; i < to; i++) {
            if (drl.charAt(i) == '\\' && escapeAt(drl, i)) {
                throw new PolicyException(i, "unicode escapes (\\u....) are not allowed in " + where + " (javac reads them as code)");
            }
        }
    }
}
