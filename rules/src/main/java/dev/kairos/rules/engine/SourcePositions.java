package dev.kairos.rules.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Offsets of one rule file as 1-based line and column, and problems placed there: the one place
 * the policy check, the linter, the explainer and the compiler's syntax messages turn offsets
 * into positions.
 */
public final class SourcePositions {
    private final String file;
    private final String text;
    private final int[] lineStarts;

    public SourcePositions(String file, String text) {
        this.file = file;
        this.text = text;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) if (text.charAt(i) == '\n') starts.add(i + 1);
        this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The 1-based {line, column} of {@code offset} (clamped into the text). */
    public int[] lineColumn(int offset) {
        int o = Math.max(0, Math.min(offset, text.length()));
        int line = Arrays.binarySearch(lineStarts, o);
        if (line < 0) line = -line - 2;
        return new int[] {line + 1, o - lineStarts[line] + 1};
    }

    /** A problem of {@code kind} at {@code offset}; a negative offset means "no position". */
    public RuleProblem at(int offset, String kind, String message) {
        if (offset < 0) return new RuleProblem(file, 0, 0, kind, message);
        int[] at = lineColumn(offset);
        return new RuleProblem(file, at[0], at[1], kind, message);
    }
}
