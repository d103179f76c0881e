package dev.kairos.rules.engine;

/**
 * A reason a pack did not compile: where (file, 1-based line and column; 0 when unknown) and what.
 * {@code kind} is {@code syntax}, {@code compile}, {@code forbidden} (outside the fact model) or
 * {@code limit} (size, rule count or compile time).
 */
public record RuleProblem(String file, int line, int column, String kind, String message) {
    @Override public String toString() {
        return (file == null ? "" : file) + ":" + line + ":" + column + ": " + kind + ": " + message;
    }
}
