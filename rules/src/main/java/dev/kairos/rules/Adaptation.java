package dev.kairos.rules;

import java.util.Map;
import java.util.Objects;

/**
 * The answer for one placement: which content to show and how (tone, format, call to action),
 * which rule chose it and why. Immutable; made by the engine from what a rule's
 * {@link Actions#adapt(Placement) adapt(...)} call described.
 *
 * <p>{@code fallback} is true when no content rule matched and the pack's default (or the
 * built-in empty default) was used; {@code suppressed} is true when a rule decided to show
 * nothing in this placement (e.g. ad fatigue). {@code layer} names what answered: {@code tier2} (a
 * rule), {@code tier1} (a base item filling a placement no rule adapted; its {@code rule} is
 * {@code "tier1"}) or {@code fallback}.
 */
public final class Adaptation {
    private final String placement;
    private final String contentId;
    private final String tone;
    private final String format;
    private final String cta;
    private final int priority;
    private final String rule;
    private final String reason;
    private final boolean fallback;
    private final boolean suppressed;
    private final Map<String, String> params;
    private final String layer;
    private final java.util.List<dev.kairos.rules.learn.Bandit.Choice> choices;

    /** Layer of an adaptation a Tier-2 (behavioural) rule made. */
    public static final String TIER2 = "tier2";
    /** Layer of an adaptation filled by a Tier-1 base item ({@link BaseItem}). */
    public static final String TIER1 = "tier1";
    /** Layer of a pack default or the built-in empty answer. */
    public static final String FALLBACK = "fallback";

    public Adaptation(String placement, String contentId, String tone, String format, String cta, int priority,
                      String rule, String reason, boolean fallback, boolean suppressed, Map<String, String> params) {
        this(placement, contentId, tone, format, cta, priority, rule, reason, fallback, suppressed, params, fallback ? FALLBACK : TIER2);
    }

    public Adaptation(String placement, String contentId, String tone, String format, String cta, int priority,
                      String rule, String reason, boolean fallback, boolean suppressed, Map<String, String> params, String layer) {
        this(placement, contentId, tone, format, cta, priority, rule, reason, fallback, suppressed, params, layer, java.util.List.of());
    }

    public Adaptation(String placement, String contentId, String tone, String format, String cta, int priority,
                      String rule, String reason, boolean fallback, boolean suppressed, Map<String, String> params, String layer,
                      java.util.List<dev.kairos.rules.learn.Bandit.Choice> choices) {
        this.choices = java.util.List.copyOf(choices);
        this.layer = Objects.requireNonNull(layer, "layer");
        this.placement = Objects.requireNonNull(placement, "placement");
        this.contentId = contentId;
        this.tone = tone;
        this.format = format;
        this.cta = cta;
        this.priority = priority;
        this.rule = rule;
        this.reason = reason;
        this.fallback = fallback;
        this.suppressed = suppressed;
        this.params = params == null ? Map.of() : Map.copyOf(params);
    }

    /** The built-in answer when nothing, not even a pack default, matched a placement. */
    public static Adaptation emptyFallback(String placement) {
        return new Adaptation(placement, null, null, "none", null, Integer.MIN_VALUE, null,
                "no rule and no pack default matched", true, false, Map.of());
    }

    public String getPlacement() { return placement; }
    /** Content identifier for the app's content store; {@code null} when suppressed or empty. */
    public String getContentId() { return contentId; }
    public String getTone() { return tone; }
    public String getFormat() { return format; }
    public String getCta() { return cta; }
    /** Higher wins when several rules adapt the same placement. */
    public int getPriority() { return priority; }
    /** Name of the rule that produced this adaptation, {@code null} for the built-in default. */
    public String getRule() { return rule; }
    /** Why: the rule's stated reason or description. */
    public String getReason() { return reason; }
    public boolean isFallback() { return fallback; }
    public boolean isSuppressed() { return suppressed; }
    /** Free-form parameters for the content template, e.g. {@code discount → 15%}. */
    public Map<String, String> getParams() { return params; }
    /**
     * The {@code choose(...)} values the bandit picked for this adaptation: choice point, value,
     * its propensity, whether it explored, the model version; empty without choices.
     */
    public java.util.List<dev.kairos.rules.learn.Bandit.Choice> getChoices() { return choices; }

    /** The probability with which this adaptation's chosen values were chosen (the product over its choices; 1 without). */
    public double getPropensity() {
        double p = 1;
        for (dev.kairos.rules.learn.Bandit.Choice c : choices) p *= c.propensity();
        return p;
    }

    /** Which layer answered: {@code tier2} (a rule), {@code tier1} (a base item) or {@code fallback}. */
    public String getLayer() { return layer; }

    /** The adaptation of a Tier-1 base item that fills {@code item}'s placement, explained by {@code reason}. */
    public static Adaptation ofBase(BaseItem item, String reason) {
        return new Adaptation(item.getPlacement(), item.getContentId(), item.getTone(), item.getFormat(), item.getCta(), 0,
                TIER1, reason, false, false, item.getParams(), TIER1);
    }

    @Override public boolean equals(Object o) {
        return o instanceof Adaptation a && placement.equals(a.placement) && Objects.equals(contentId, a.contentId)
                && Objects.equals(tone, a.tone) && Objects.equals(format, a.format) && Objects.equals(cta, a.cta)
                && priority == a.priority && Objects.equals(rule, a.rule) && Objects.equals(reason, a.reason)
                && fallback == a.fallback && suppressed == a.suppressed && params.equals(a.params) && layer.equals(a.layer);
    }
    @Override public int hashCode() {
        return Objects.hash(placement, contentId, tone, format, cta, priority, rule, reason, fallback, suppressed, params);
    }
    @Override public String toString() {
        return "Adaptation{" + placement + " ← " + rule + ": " + contentId + ", " + tone + ", " + format + ", " + cta
                + (fallback ? ", fallback" : "") + (suppressed ? ", suppressed" : "") + "}";
    }
}
