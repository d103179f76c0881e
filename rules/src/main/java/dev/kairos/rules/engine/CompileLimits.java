package dev.kairos.rules.engine;

import java.time.Duration;

/**
 * Bounds on what a pack may cost: total DRL bytes, number of rules, compile time, and rule
 * firings per evaluation (so a looping rule cannot hang a request).
 * Defaults: 1 MiB, 5,000 rules, 30 s, 1,000 firings.
 */
public record CompileLimits(long maxDrlBytes, int maxRules, Duration compileTimeout, int maxFirings) {
    public static final CompileLimits DEFAULT = new CompileLimits(1 << 20, 5_000, Duration.ofSeconds(30), 1_000);

    public CompileLimits {
        if (maxDrlBytes <= 0) throw new IllegalArgumentException("maxDrlBytes must be > 0");
        if (maxRules <= 0) throw new IllegalArgumentException("maxRules must be > 0");
        if (compileTimeout == null || compileTimeout.isNegative() || compileTimeout.isZero()) {
            throw new IllegalArgumentException("compileTimeout must be positive");
        }
        if (maxFirings <= 0) throw new IllegalArgumentException("maxFirings must be > 0");
    }
}
