package dev.kairos.bench;

import dev.kairos.rules.AdaptationBuilder;
import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.engine.Evaluation;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.internal.FiringListener;
import org.jeasy.rules.core.DefaultRulesEngine;
import org.junit.jupiter.api.Test;
import org.kie.api.runtime.KieContainer;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The engines compared in the benchmarks must give the same answers, or the comparison means nothing. */
class WorkloadsTest {
    @Test
    void kairosDroolsAsCommonlyEmbeddedAndEasyRulesAgreeOnTheGeneratedRules() {
        try (RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT);
             CompiledRules kairos = compiler.compile("b", Workloads.pack("100")).orThrow()) {
            KieContainer container = DecideBenchmark.commonContainer("100");
            var easy = EasyRulesBenchmark.easyRules(100);
            int answered = 0;
            for (DecisionInput in : Workloads.inputs("100")) {
                Evaluation e = kairos.evaluate(in);
                Map<String, AdaptationBuilder> drools = DecideBenchmark.commonDecide(container, new FiringListener(Map.of()), in);
                Map<String, String> easyBest = EasyRulesBenchmark.easyDecide(new DefaultRulesEngine(), easy, in);
                for (var a : e.adaptations()) {
                    if (a.getContentId() == null) {
                        assertThat(drools).doesNotContainKey(a.getPlacement());
                        assertThat(easyBest).doesNotContainKey(a.getPlacement());
                        continue;
                    }
                    answered++;
                    assertThat(drools.get(a.getPlacement()).getPriority()).isEqualTo(a.getPriority());
                    assertThat(Integer.parseInt(easyBest.get(a.getPlacement()).split("\\|")[2])).isEqualTo(a.getPriority());
                }
            }
            container.dispose();
            assertThat(answered).as("the workload exercises matching rules").isGreaterThan(4);
        }
    }

    @Test
    void theDefaultPackWorkloadAnswersEveryPlacement() {
        try (RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT);
             CompiledRules kairos = compiler.compile("b", Workloads.pack("default")).orThrow()) {
            for (DecisionInput in : Workloads.inputs("default")) {
                assertThat(kairos.evaluate(in).adaptations()).hasSize(2).allSatisfy(a -> assertThat(a.getRule()).isNotNull());
            }
        }
    }
}
