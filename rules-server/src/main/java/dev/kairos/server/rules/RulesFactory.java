package dev.kairos.server.rules;

import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.server.config.KairosConfig;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** The rule compiler of this server: the configured limits, and every pack checked by the standard policy. */
@Factory
public class RulesFactory {
    @Singleton
    @Bean(preDestroy = "close")
    RuleCompiler ruleCompiler(KairosConfig config) {
        return new RuleCompiler(new CompileLimits(config.maxDrlBytes(), config.maxRules(), config.compileTimeout(), config.maxFirings()));
    }
}
