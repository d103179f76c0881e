package dev.kairos.rules;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a rule's consequence fills in, fluently:
 * <pre>adapt($p).content("deals-carousel").tone("casual").format("carousel").cta("Order now").priority(50);</pre>
 * Only valid inside the consequence that created it; the engine turns it into an
 * {@link Adaptation} when the evaluation ends.
 */
public final class AdaptationBuilder {
    private final String placement;
    private final String rule;
    private final int salience;
    private final boolean fallback;
    private final boolean suppressed;
    private String contentId;
    private String tone;
    private String format;
    private String cta;
    private int priority;
    private String reason;
    private Map<String, String> params;
    private BaseItem base;
    private java.util.List<dev.kairos.rules.learn.Bandit.Choice> choices;

    AdaptationBuilder(String placement, String rule, int salience, String defaultReason, boolean fallback, boolean suppressed) {
        this.placement = placement;
        this.rule = rule;
        this.salience = salience;
        this.reason = defaultReason;
        this.fallback = fallback;
        this.suppressed = suppressed;
        if (suppressed) {
            this.format = "none";
        }
    }

    /**
     * Starts from a Tier-1 base item: its content, tone, format, call to action and params; what
     * follows overrides them, e.g. {@code adapt($p).fromBase($b).tone("urgent")}.
     */
    public AdaptationBuilder fromBase(BaseItem item) {
        this.base = item;
        this.contentId = item.getContentId();
        if (item.getTone() != null) this.tone = item.getTone();
        if (item.getFormat() != null) this.format = item.getFormat();
        if (item.getCta() != null) this.cta = item.getCta();
        if (!item.getParams().isEmpty()) {
            if (params == null) params = new LinkedHashMap<>();
            params.putAll(item.getParams());
        }
        return this;
    }

    /** Content id in the app's content store. */
    public AdaptationBuilder content(String contentId) { this.contentId = contentId; return this; }
    /** Tone of voice, e.g. {@code casual}, {@code urgent}, {@code in-depth}, {@code helpful}. */
    public AdaptationBuilder tone(String tone) { this.tone = tone; return this; }
    /** Format, e.g. {@code banner}, {@code carousel}, {@code popup}, {@code summary}, {@code message}. */
    public AdaptationBuilder format(String format) { this.format = format; return this; }
    /** The call to action text. */
    public AdaptationBuilder cta(String cta) { this.cta = cta; return this; }
    /** Higher wins over other rules adapting the same placement; default 0. */
    public AdaptationBuilder priority(int priority) { this.priority = priority; return this; }
    /** Why this rule chose this, shown in explanations (defaults to the rule's {@code @description}). */
    public AdaptationBuilder because(String reason) { this.reason = reason; return this; }
    /** A template parameter, e.g. {@code param("discount", "15%")}. */
    public AdaptationBuilder param(String name, String value) {
        if (params == null) params = new LinkedHashMap<>();
        params.put(name, value);
        return this;
    }

    public String getPlacement() { return placement; }
    public String getRule() { return rule; }
    public int getSalience() { return salience; }
    public int getPriority() { return priority; }
    public boolean isFallback() { return fallback; }
    /** True for a suppression (the placement shows nothing). */
    public boolean isSuppressed() { return suppressed; }
    public String getFormat() { return format; }
    /** Records a {@code choose(...)} made for this adaptation (engine machinery). */
    public void choice(dev.kairos.rules.learn.Bandit.Choice c) {
        if (choices == null) choices = new java.util.ArrayList<>(2);
        choices.add(c);
    }

    /** The base item this adaptation enhances ({@link #fromBase}), or null. */
    public BaseItem getBase() { return base; }

    /** The immutable adaptation described so far. */
    public Adaptation toAdaptation() {
        return new Adaptation(placement, contentId, tone, format, cta, priority, rule, reason, fallback, suppressed, params,
                fallback ? Adaptation.FALLBACK : Adaptation.TIER2, choices == null ? java.util.List.of() : choices);
    }
}
