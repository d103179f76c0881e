package dev.kairos.rules.harness;

import java.util.List;

/** The outcome of one scenario: passed when {@code failures} is empty. */
public record ScenarioResult(String file, String name, List<String> failures) {
    public ScenarioResult {
        failures = List.copyOf(failures);
    }

    public boolean passed() { return failures.isEmpty(); }

    @Override public String toString() {
        return (passed() ? "PASS " : "FAIL ") + file + " :: " + name + (passed() ? "" : "\n    " + String.join("\n    ", failures));
    }
}
