package dev.kairos.rules.engine;

import dev.kairos.rules.Context;
import dev.kairos.rules.Placement;
import dev.kairos.rules.Profile;
import dev.kairos.rules.Signals;
import dev.kairos.rules.TimeOfDay;
import dev.kairos.rules.Weights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rules emit actions for other channels with trigger(...); the evaluation carries them once each. */
class TriggerTest {
    static final RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT);
    static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    @AfterAll
    static void close() { compiler.close(); }

    static DecisionInput input(int cartItems) {
        Context c = new Context(null, null, TimeOfDay.of(NOW, ZoneOffset.UTC), null, null, null, null, null);
        return new DecisionInput(c, Signals.builder().cartItems(cartItems).build(), Profile.NONE.at(NOW), List.of(), Weights.DEFAULT,
                List.of(Placement.named("home_banner"), Placement.named("product_page")));
    }

    static CompiledRules compile(String drl) {
        return compiler.compile("t", new RulePack(List.of(new RuleSource("p.drl", drl)))).orThrow();
    }

    @Test
    void aTriggerIsEmittedOncePerChannelAndNameWithItsParamsAndCooldown() {
        try (CompiledRules rules = compile("""
                package acme;
                rule "Cart reminder"
                    @description("cart left")
                when
                    Signals( $n : cartItems > 2 )
                    $p : Placement()
                then
                    trigger("email", "cart_reminder").param("items", String.valueOf($n)).cooldown("72h");
                end
                rule "Push too"
                when Signals( cartItems > 2 )
                then trigger("push", "cart_nudge").because("a nudge");
                end
                """)) {
            Evaluation e = rules.evaluate(input(3));
            assertThat(e.triggers()).as("two placements fire the email rule twice; one trigger").hasSize(2);
            Trigger email = e.triggers().stream().filter(t -> t.channel().equals("email")).findFirst().orElseThrow();
            assertThat(email.name()).isEqualTo("cart_reminder");
            assertThat(email.rule()).isEqualTo("Cart reminder");
            assertThat(email.reason()).isEqualTo("cart left");
            assertThat(email.params()).isEqualTo(Map.of("items", "3"));
            assertThat(email.cooldown()).isEqualTo(Duration.ofHours(72));
            Trigger push = e.triggers().stream().filter(t -> t.channel().equals("push")).findFirst().orElseThrow();
            assertThat(push.cooldown()).isEqualTo(Duration.ofHours(24));
            assertThat(push.reason()).isEqualTo("a nudge");

            assertThat(rules.evaluate(input(1)).triggers()).isEmpty();
            assertThat(rules.evaluate(input(3), List.of(), true).triggers()).as("holdout users get no triggers").isEmpty();
        }
    }

    @Test
    void thePacksTriggersFileNamesTheReceiverPerChannelAndIsValidated() {
        String drl = """
                package acme;
                rule "Both" when Signals( cartItems > 2 ) then trigger("email", "a"); trigger("push", "b"); end
                """;
        try (CompiledRules rules = compiler.compile("t", new RulePack(List.of(new RuleSource("p.drl", drl),
                new RuleSource(RulePack.TRIGGERS_FILE, "receivers:\n  email: brand_a_email\n")))).orThrow()) {
            assertThat(rules.triggerReceivers()).isEqualTo(Map.of("email", "brand_a_email"));
            Evaluation e = rules.evaluate(input(3));
            assertThat(e.triggers()).extracting(Trigger::channel, Trigger::receiver)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("email", "brand_a_email"), org.assertj.core.groups.Tuple.tuple("push", null));
        }
        CompileResult bad = compiler.compile("t", new RulePack(List.of(new RuleSource("p.drl", drl),
                new RuleSource(RulePack.TRIGGERS_FILE, "receivers:\n  fax: office\n  email: https://evil.example/hook\n"))));
        assertThat(bad.ok()).isFalse();
        assertThat(bad.problems()).extracting(RuleProblem::line).containsExactly(2, 3);
        assertThat(bad.problems().toString()).contains("unknown channel 'fax'").contains("a receiver name is 1-64 letters");
    }

    @Test
    void anUnknownChannelFailsTheEvaluationLikeAnyRuleError() {
        try (CompiledRules rules = compile("""
                package acme;
                rule "Fax" when Signals() then trigger("fax", "hello"); end
                """)) {
            assertThatThrownBy(() -> rules.evaluate(input(0))).hasStackTraceContaining("trigger channel must be one of [email, push, sms]");
        }
    }
}
