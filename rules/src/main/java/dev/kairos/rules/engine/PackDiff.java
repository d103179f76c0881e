package dev.kairos.rules.engine;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What changed between two versions of a pack, as a unified diff per file (java-diff-utils), the
 * way {@code diff -u} and code review tools show it. A file only in one version is diffed against
 * {@code /dev/null}.
 *
 * <pre>List&lt;PackDiff.FileDiff&gt; d = PackDiff.between("v1", filesOfV1, "v2", filesOfV2);</pre>
 */
public final class PackDiff {
    private PackDiff() {}

    /** One changed file: its name and the unified diff lines (headers {@code ---}/{@code +++} first). */
    public record FileDiff(String file, List<String> lines) {}

    /** The files that differ between {@code from} and {@code to} (file name to DRL text), sorted by name; empty when none do. */
    public static List<FileDiff> between(String fromId, Map<String, String> from, String toId, Map<String, String> to) {
        TreeSet<String> names = new TreeSet<>(from.keySet());
        names.addAll(to.keySet());
        List<FileDiff> out = new ArrayList<>();
        for (String name : names) {
            List<String> left = lines(from.get(name));
            List<String> right = lines(to.get(name));
            if (left.equals(right)) continue;
            out.add(new FileDiff(name, UnifiedDiffUtils.generateUnifiedDiff(
                    from.containsKey(name) ? fromId + "/" + name : "/dev/null", to.containsKey(name) ? toId + "/" + name : "/dev/null",
                    left, DiffUtils.diff(left, right), 3)));
        }
        return out;
    }

    private static List<String> lines(String text) {
        return text == null ? new ArrayList<>() : new ArrayList<>(Arrays.asList(text.split("\n", -1)));
    }
}
