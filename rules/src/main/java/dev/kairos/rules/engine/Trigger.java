package dev.kairos.rules.engine;

import java.time.Duration;
import java.util.Map;

/**
 * An action for another channel a rule emitted in one evaluation ({@code trigger("email",
 * "cart_reminder")}): the channel, the template name, the rule, its reason and params, and the
 * cool-down (at most one delivery per user per {@code cooldown}), and the receiver the pack's
 * {@code triggers.yaml} names for the channel (null: the operator's default for the channel).
 */
public record Trigger(String channel, String name, String rule, String reason, Map<String, String> params, Duration cooldown,
                      String receiver) {
    public Trigger {
        params = params == null ? Map.of() : Map.copyOf(params);
    }

    /** A trigger for the operator's default receiver of its channel. */
    public Trigger(String channel, String name, String rule, String reason, Map<String, String> params, Duration cooldown) {
        this(channel, name, rule, reason, params, cooldown, null);
    }
}
