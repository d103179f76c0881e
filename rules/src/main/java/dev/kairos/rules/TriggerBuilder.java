package dev.kairos.rules;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An action for another channel that a rule's consequence emits, fluently:
 * <pre>trigger("email", "cart_reminder").param("items", "2").cooldown("72h").because("cart left for a day");</pre>
 * The decision carries it; the feedback service delivers it as a signed webhook to the channel's
 * receiver (your email, SMS or push provider), at most once per user per cool-down (default 24 h),
 * within the per-user rate limit, and never to a user who opted out of the channel.
 */
public final class TriggerBuilder {
    /** The channels a trigger may go to. */
    public static final Set<String> CHANNELS = Set.of("email", "sms", "push");
    /** The cool-down when the rule gives none. */
    public static final Duration DEFAULT_COOLDOWN = Duration.ofHours(24);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");
    private static final int MAX_PARAMS = 32;

    private final String channel;
    private final String name;
    private final String rule;
    private String reason;
    private Duration cooldown = DEFAULT_COOLDOWN;
    private Map<String, String> params;

    TriggerBuilder(String channel, String name, String rule, String reason) {
        if (!CHANNELS.contains(channel)) throw new IllegalArgumentException("trigger channel must be one of " + new java.util.TreeSet<>(CHANNELS) + ", was '" + channel + "'");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("trigger name must be 1-64 letters, digits, '_', '.' or '-', was '" + name + "'");
        }
        this.channel = channel;
        this.name = name;
        this.rule = rule;
        this.reason = reason;
    }

    /** A parameter for the message template, e.g. {@code param("items", "2")}. */
    public TriggerBuilder param(String key, String value) {
        if (params == null) params = new LinkedHashMap<>();
        if (params.size() >= MAX_PARAMS && !params.containsKey(key)) throw new IllegalArgumentException("a trigger has at most " + MAX_PARAMS + " params");
        params.put(key, value);
        return this;
    }

    /** Why, shown in the decision and sent with the trigger (defaults to the rule's {@code @description}). */
    public TriggerBuilder because(String reason) { this.reason = reason; return this; }

    /** At most one delivery of this trigger per user per {@code duration}, e.g. {@code "72h"}, {@code "7d"} (default 24h). */
    public TriggerBuilder cooldown(String duration) {
        this.cooldown = dev.kairos.rules.engine.DeliveryLimits.cooldown(duration);
        return this;
    }

    public String getChannel() { return channel; }
    public String getName() { return name; }
    public String getRule() { return rule; }
    public String getReason() { return reason; }
    public Duration getCooldown() { return cooldown; }
    public Map<String, String> getParams() { return params == null ? Map.of() : Map.copyOf(params); }
}
