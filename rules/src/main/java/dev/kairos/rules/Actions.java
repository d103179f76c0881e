package dev.kairos.rules;

import dev.kairos.rules.engine.internal.Firing;

/**
 * The functions a rule's consequence calls. The engine imports them into every package, so DRL
 * uses them without an import:
 * <pre>then
 *    adapt($p).tone("casual").format("carousel").cta("Order now &amp; get 15% off");
 *    suppress($ad, "ad fatigue");
 *    fallback($p).content("home-generic").format("banner");
 *    trigger("email", "cart_reminder").cooldown("72h");</pre>
 * They only work while the engine is firing rules (they record into the evaluation running on
 * the calling thread); elsewhere they throw {@link IllegalStateException}.
 */
public final class Actions {
    private Actions() {}

    /** Starts the adaptation of {@code placement} by the rule now firing. */
    public static AdaptationBuilder adapt(Placement placement) {
        Firing f = Firing.current();
        return f.record(new AdaptationBuilder(placement.getName(), f.ruleName(), f.salience(), f.description(), false, false));
    }

    /** Decides that {@code placement} shows nothing, for {@code reason}. Use a high priority to make it stick. */
    public static AdaptationBuilder suppress(Placement placement, String reason) {
        Firing f = Firing.current();
        return f.record(new AdaptationBuilder(placement.getName(), f.ruleName(), f.salience(), reason, false, true));
    }

    /**
     * Emits an action for another channel ({@code email}, {@code sms} or {@code push}) named
     * {@code name} (your provider's template), delivered by the feedback service as a signed webhook;
     * see {@link TriggerBuilder}.
     */
    public static TriggerBuilder trigger(String channel, String name) {
        Firing f = Firing.current();
        return f.trigger(new TriggerBuilder(channel, name, f.ruleName(), f.description()));
    }

    /**
     * One of {@code values}, chosen per decision by the contextual bandit learning which works best
     * for whom (the first value while nothing is learned, and always for holdout users); use it as
     * an argument of the adaptation just started:
     * {@code adapt($p).cta(choose("Order now", "Get 15% off", "See the deals"))}. The decision
     * logs the chosen value with its propensity.
     */
    public static String choose(String... values) {
        return Firing.current().choose(values);
    }

    /** The pack's default for {@code placement}; used only when no non-fallback rule adapted it. */
    public static AdaptationBuilder fallback(Placement placement) {
        Firing f = Firing.current();
        return f.record(new AdaptationBuilder(placement.getName(), f.ruleName(), f.salience(), f.description(), true, false));
    }
}
