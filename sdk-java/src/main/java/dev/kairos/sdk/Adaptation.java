package dev.kairos.sdk;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What to show in one placement: content, tone, format and call to action, and the rule that chose
 * it. Immutable. {@link #fallback()} is {@code true} for a pack default and for the SDK's own
 * answer when the server could not be asked.
 */
public final class Adaptation {
    private final String placement;
    private final String contentId;
    private final String tone;
    private final String format;
    private final String cta;
    private final String rule;
    private final String reason;
    private final boolean fallback;
    private final boolean suppressed;
    private final Map<String, String> params;

    public Adaptation(String placement, String contentId, String tone, String format, String cta, String rule,
                      String reason, boolean fallback, boolean suppressed, Map<String, String> params) {
        this.placement = Objects.requireNonNull(placement, "placement");
        this.contentId = contentId;
        this.tone = tone;
        this.format = format;
        this.cta = cta;
        this.rule = rule;
        this.reason = reason;
        this.fallback = fallback;
        this.suppressed = suppressed;
        this.params = params == null ? java.util.Collections.emptyMap() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** The SDK's answer when it has nothing better: show nothing ({@code format "none"}), marked as a fallback. */
    public static Adaptation none(String placement, String reason) {
        return new Adaptation(placement, null, null, "none", null, null, reason, true, false, java.util.Collections.emptyMap());
    }

    public String placement() { return placement; }
    /** The content id in the app's content store, {@code null} when there is nothing to show. */
    public String contentId() { return contentId; }
    public String tone() { return tone; }
    public String format() { return format; }
    public String cta() { return cta; }
    /** The winning rule's name, {@code null} when no rule answered. */
    public String rule() { return rule; }
    public String reason() { return reason; }
    public boolean fallback() { return fallback; }
    public boolean suppressed() { return suppressed; }
    /** Template parameters, never {@code null}. */
    public Map<String, String> params() { return params; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Adaptation)) return false;
        Adaptation a = (Adaptation) o;
        return fallback == a.fallback && suppressed == a.suppressed && placement.equals(a.placement)
                && Objects.equals(contentId, a.contentId) && Objects.equals(tone, a.tone) && Objects.equals(format, a.format)
                && Objects.equals(cta, a.cta) && Objects.equals(rule, a.rule) && Objects.equals(reason, a.reason)
                && params.equals(a.params);
    }

    @Override
    public int hashCode() {
        return Objects.hash(placement, contentId, tone, format, cta, rule, reason, fallback, suppressed, params);
    }

    @Override
    public String toString() {
        return "Adaptation{placement=" + placement + ", contentId=" + contentId + ", format=" + format + ", rule=" + rule
                + (fallback ? ", fallback" : "") + (suppressed ? ", suppressed" : "") + "}";
    }
}
