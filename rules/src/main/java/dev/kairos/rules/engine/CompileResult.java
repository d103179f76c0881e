package dev.kairos.rules.engine;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of compiling a pack: the compiled rules, or the problems that prevented it.
 */
public record CompileResult(Optional<CompiledRules> rules, List<RuleProblem> problems, List<String> ruleNames) {
    public CompileResult {
        problems = List.copyOf(problems);
        ruleNames = List.copyOf(ruleNames);
    }

    public boolean ok() { return rules.isPresent(); }

    /** The compiled rules, or an {@link IllegalStateException} listing the problems. */
    public CompiledRules orThrow() {
        return rules.orElseThrow(() -> new IllegalStateException("rules did not compile: " + problems));
    }
}
