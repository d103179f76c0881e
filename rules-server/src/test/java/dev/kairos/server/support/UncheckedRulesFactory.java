package dev.kairos.server.support;

import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.policy.PackPolicy;
import dev.kairos.server.config.KairosConfig;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/**
 * The test hook of the containment tests: with {@code kairos.test.unchecked-rules=true} (test
 * servers only; this class is not in the server jar) the server compiles packs without the
 * allow-list, so a deliberately slow or looping rule can be uploaded to prove the deadline and
 * the circuit breaker.
 */
@Factory
@Requires(property = "kairos.test.unchecked-rules", value = "true")
public class UncheckedRulesFactory {
    @Singleton
    @Replaces(RuleCompiler.class)
    @Bean(preDestroy = "close")
    RuleCompiler uncheckedCompiler(KairosConfig config) {
        return new RuleCompiler(new CompileLimits(config.maxDrlBytes(), config.maxRules(), config.compileTimeout(), config.maxFirings()),
                PackPolicy.uncheckedForTesting());
    }
}
