package dev.kairos.rules.engine;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of compiling a pack: the compiled rules, or the problems that prevented it; and the
 * warnings of {@link dev.kairos.rules.lint.PackLinter} for a pack that compiled (kind {@code warning},
 * non-blocking).
 */
public record CompileResult(Optional<CompiledRules> rules, List<RuleProblem> problems, List<String> ruleNames, List<RuleProblem> warnings) {
    public CompileResult {
        problems = List.copyOf(problems);
        ruleNames = List.copyOf(ruleNames);
        warnings = List.copyOf(warnings);
    }

    public CompileResult(Optional<CompiledRules> rules, List<RuleProblem> problems, List<String> ruleNames) {
        this(rules, problems, ruleNames, List.of());
    }

    public boolean ok() { return rules.isPresent(); }

    /** The compiled rules, or an {@link IllegalStateException} listing the problems. */
    public CompiledRules orThrow() {
        return rules.orElseThrow(() -> new IllegalStateException("rules did not compile: " + problems));
    }
}
