package dev.kairos.rules.lint;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean ...?": the known name closest to a misspelled one, within a few edits. */
final class Suggest {
    private Suggest() {}

    /** The closest of {@code known} to {@code value}, or null when none is within max(2, length/3) edits. */
    static String closest(String value, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String v = value.toLowerCase(Locale.ROOT);
        int limit = Math.max(2, value.length() / 3);
        for (String k : known) {
            if (Math.abs(k.length() - v.length()) > limit) continue;
            int d = distance(v, k.toLowerCase(Locale.ROOT));
            if (d < bestDistance || d == bestDistance && best != null && k.compareTo(best) < 0) {
                best = k;
                bestDistance = d;
            }
        }
        return bestDistance <= limit ? best : null;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
