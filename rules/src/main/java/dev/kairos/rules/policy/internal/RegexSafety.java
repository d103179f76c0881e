package dev.kairos.rules.policy.internal;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Refuses regular expressions that can take exponential or high-polynomial time on text a user
 * controls (ReDoS): a repeated group that itself repeats ({@code (a+)+}), a repeated alternation
 * ({@code (a|ab)*}), backreferences, and more than {@link #MAX_UNBOUNDED} unbounded quantifiers
 * ({@code *}, {@code +}, {@code {n,}}) in one pattern. What remains is linear or at worst quadratic
 * in the length of the matched text, which the fact model caps (e.g. 512 characters for
 * {@code lastSearch}). The check is conservative: it may refuse a pattern that is in fact safe.
 */
public final class RegexSafety {
    /** Longest pattern accepted. */
    public static final int MAX_LENGTH = 256;
    /** Most unbounded quantifiers in one pattern. */
    public static final int MAX_UNBOUNDED = 2;
    /** A {n,m} quantifier with m above this counts as unbounded. */
    static final int LARGE = 100;

    private final String regex;
    private final int at;
    private int i;
    private int unbounded;

    private RegexSafety(String regex, int at) {
        this.regex = regex;
        this.at = at;
    }

    /** Throws a {@link PolicyException} at {@code at} when {@code regex} is refused. */
    public static void check(String regex, int at) {
        if (regex.length() > MAX_LENGTH) {
            throw new PolicyException(at, "limit", "regular expressions are limited to " + MAX_LENGTH + " characters");
        }
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new PolicyException(at, "syntax", "invalid regular expression: " + e.getDescription() + " near index " + e.getIndex());
        }
        RegexSafety s = new RegexSafety(regex, at);
        s.alternation();
        if (s.unbounded > MAX_UNBOUNDED) {
            throw new PolicyException(at, "a regular expression may use at most " + MAX_UNBOUNDED
                    + " unbounded repetitions (*, + or {n,}); this one uses " + s.unbounded + " (slow on long text)");
        }
    }

    /** What a piece of pattern contains. */
    private record Info(boolean repeats, boolean alternates) {}

    private Info alternation() {
        Info a = sequence();
        boolean repeats = a.repeats();
        boolean alternates = false;
        while (i < regex.length() && regex.charAt(i) == '|') {
            i++;
            alternates = true;
            repeats |= sequence().repeats();
        }
        return new Info(repeats, alternates);
    }

    private Info sequence() {
        boolean repeats = false;
        while (i < regex.length() && regex.charAt(i) != '|' && regex.charAt(i) != ')') {
            Info atom = atom();
            int max = quantifier();
            if (max > 1 || max < 0) {
                if (atom.repeats()) refuse("a repeated group that itself repeats, such as (a+)+, can take exponential time");
                if (atom.alternates()) refuse("a repeated alternation, such as (a|ab)*, can take exponential time; repeat a character class instead");
                repeats = true;
            }
            repeats |= atom.repeats();
        }
        return new Info(repeats, false);
    }

    /** Reads a quantifier if there is one: -1 for unbounded, else the maximum count (1 when there is none). */
    private int quantifier() {
        if (i >= regex.length()) return 1;
        char c = regex.charAt(i);
        int max;
        if (c == '*' || c == '+') {
            i++;
            max = -1;
        } else if (c == '?') {
            i++;
            max = 1;
        } else if (c == '{' ) {
            int close = regex.indexOf('}', i);
            String body = regex.substring(i + 1, close);
            i = close + 1;
            int comma = body.indexOf(',');
            if (comma < 0) {
                max = Integer.parseInt(body.strip());
            } else {
                String upper = body.substring(comma + 1).strip();
                max = upper.isEmpty() ? -1 : Integer.parseInt(upper);
            }
            if (max > LARGE) max = -1;
        } else {
            return 1;
        }
        if (i < regex.length() && (regex.charAt(i) == '?' || regex.charAt(i) == '+')) i++;
        if (max < 0) unbounded++;
        return max;
    }

    private Info atom() {
        char c = regex.charAt(i);
        if (c == '(') {
            i++;
            if (i < regex.length() && regex.charAt(i) == '?') {
                i++;
                char k = i < regex.length() ? regex.charAt(i) : ')';
                if (k == '<' && i + 1 < regex.length() && regex.charAt(i + 1) != '=' && regex.charAt(i + 1) != '!') {
                    int close = regex.indexOf('>', i);
                    i = close + 1;
                } else if (k == ':' || k == '=' || k == '!' || k == '>') {
                    i++;
                } else if (k == '<') {
                    i += 2;
                } else {
                    int start = i;
                    while (i < regex.length() && regex.charAt(i) != ')' && regex.charAt(i) != ':') i++;
                    if (regex.substring(start, i).contains("x")) refuse("the comments flag (?x) is not allowed in rules");
                    if (i < regex.length() && regex.charAt(i) == ')') {
                        i++;
                        return new Info(false, false);
                    }
                    i++;
                }
            }
            Info inner = alternation();
            if (i < regex.length() && regex.charAt(i) == ')') i++;
            return inner;
        }
        if (c == '[') {
            skipClass();
            return new Info(false, false);
        }
        if (c == '\\') {
            i++;
            char e = i < regex.length() ? regex.charAt(i) : ' ';
            if (Character.isDigit(e) && e != '0' || e == 'k') refuse("backreferences are not allowed in rules' regular expressions");
            if (e == 'Q') {
                int end = regex.indexOf("\\E", i);
                i = end < 0 ? regex.length() : end + 2;
                return new Info(false, false);
            }
            if (e == 'p' || e == 'P') {
                i++;
                if (i < regex.length() && regex.charAt(i) == '{') i = regex.indexOf('}', i) + 1;
                return new Info(false, false);
            }
            if (e == 'x' && i + 1 < regex.length() && regex.charAt(i + 1) == '{') {
                i = regex.indexOf('}', i) + 1;
                return new Info(false, false);
            }
            i++;
            return new Info(false, false);
        }
        i++;
        return new Info(false, false);
    }

    /** Skips a character class starting at '[' (nested classes included). */
    private void skipClass() {
        i++;
        if (i < regex.length() && regex.charAt(i) == '^') i++;
        if (i < regex.length() && regex.charAt(i) == ']') i++;
        while (i < regex.length()) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '[') {
                skipClass();
            } else if (c == ']') {
                i++;
                return;
            } else {
                i++;
            }
        }
    }

    private void refuse(String why) {
        throw new PolicyException(at, why + ": " + regex);
    }
}
