package dev.kairos.sdk;

import org.jspecify.annotations.Nullable;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What to show in one placement: content, tone, format and call to action, and the rule that chose
 * it. Immutable. {@link #fallback()} is {@code true} for a pack default, for an app default
 * ({@link Kairos.Builder#defaultAdaptation}) and for the SDK's own "show nothing" when the server
 * could not be asked.
 *
 * <p>An app builds its own defaults with {@link #builder(String)}:
 * <pre>{@code
 * Adaptation banner = Adaptation.builder("home_banner").contentId("spring-sale").format("banner").cta("Shop now").build();
 * }</pre>
 */
public final class Adaptation {
    private final String placement;
    private final @Nullable String contentId;
    private final @Nullable String tone;
    private final @Nullable String format;
    private final @Nullable String cta;
    private final @Nullable String rule;
    private final @Nullable String reason;
    private final boolean fallback;
    private final boolean suppressed;
    private final Map<String, String> params;
    private final @Nullable String decisionId;

    public Adaptation(String placement, @Nullable String contentId, @Nullable String tone, @Nullable String format, @Nullable String cta,
                      @Nullable String rule, @Nullable String reason, boolean fallback, boolean suppressed, @Nullable Map<String, String> params) {
        this(placement, contentId, tone, format, cta, rule, reason, fallback, suppressed, params, null);
    }

    /** Like the other constructor, naming the server decision this adaptation came from ({@link #decisionId()}). */
    public Adaptation(String placement, @Nullable String contentId, @Nullable String tone, @Nullable String format, @Nullable String cta,
                      @Nullable String rule, @Nullable String reason, boolean fallback, boolean suppressed, @Nullable Map<String, String> params,
                      @Nullable String decisionId) {
        this.placement = Objects.requireNonNull(placement, "placement");
        this.contentId = contentId;
        this.tone = tone;
        this.format = format;
        this.cta = cta;
        this.rule = rule;
        this.reason = reason;
        this.fallback = fallback;
        this.suppressed = suppressed;
        this.params = params == null ? Collections.emptyMap() : Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.decisionId = decisionId;
    }

    /** The SDK's answer when it has nothing better: show nothing ({@code format "none"}), marked as a fallback. */
    public static Adaptation none(String placement, String reason) {
        return new Adaptation(placement, null, null, "none", null, null, reason, true, false, Collections.emptyMap(), null);
    }

    /** A builder for an app's own default for {@code placement}; see {@link Kairos.Builder#defaultAdaptation}. */
    public static Builder builder(String placement) {
        if (placement == null || placement.trim().isEmpty()) throw new IllegalArgumentException("placement must not be null or blank");
        return new Builder(placement);
    }

    public String placement() { return placement; }
    /** The content id in the app's content store, {@code null} when there is nothing to show. */
    public @Nullable String contentId() { return contentId; }
    public @Nullable String tone() { return tone; }
    public @Nullable String format() { return format; }
    public @Nullable String cta() { return cta; }
    /** The winning rule's name, {@code null} when no rule answered. */
    public @Nullable String rule() { return rule; }
    public @Nullable String reason() { return reason; }
    public boolean fallback() { return fallback; }
    public boolean suppressed() { return suppressed; }
    /** Template parameters, never {@code null}. */
    public Map<String, String> params() { return params; }

    /**
     * The server decision this adaptation came from; outcomes are reported against it. Usually the
     * {@link Decision#decisionId()} of the decision holding it; a cached answer may assemble
     * placements from different earlier decisions. {@code null} for an app or SDK default.
     */
    public @Nullable String decisionId() { return decisionId; }

    /** Whether there is something to show: content, and a format other than {@code "none"}. */
    public boolean hasContent() {
        return contentId != null && !"none".equals(format);
    }

    /** This adaptation as it came from decision {@code id}. */
    Adaptation withDecisionId(@Nullable String id) {
        return new Adaptation(placement, contentId, tone, format, cta, rule, reason, fallback, suppressed, params, id);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Adaptation)) return false;
        Adaptation a = (Adaptation) o;
        return fallback == a.fallback && suppressed == a.suppressed && placement.equals(a.placement)
                && Objects.equals(contentId, a.contentId) && Objects.equals(tone, a.tone) && Objects.equals(format, a.format)
                && Objects.equals(cta, a.cta) && Objects.equals(rule, a.rule) && Objects.equals(reason, a.reason)
                && params.equals(a.params) && Objects.equals(decisionId, a.decisionId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(placement, contentId, tone, format, cta, rule, reason, fallback, suppressed, params, decisionId);
    }

    @Override
    public String toString() {
        return "Adaptation{placement=" + placement + ", contentId=" + contentId + ", format=" + format + ", rule=" + rule
                + (fallback ? ", fallback" : "") + (suppressed ? ", suppressed" : "") + "}";
    }

    /** Builds an app default: content, tone, format, call to action and parameters; always a {@link #fallback()}. */
    public static final class Builder {
        private final String placement;
        private @Nullable String contentId;
        private @Nullable String tone;
        private @Nullable String format;
        private @Nullable String cta;
        private final Map<String, String> params = new LinkedHashMap<>();

        private Builder(String placement) {
            this.placement = placement;
        }

        public Builder contentId(@Nullable String contentId) { this.contentId = contentId; return this; }
        public Builder tone(@Nullable String tone) { this.tone = tone; return this; }
        public Builder format(@Nullable String format) { this.format = format; return this; }
        public Builder cta(@Nullable String cta) { this.cta = cta; return this; }

        /** Adds a template parameter. */
        public Builder param(String key, String value) {
            if (key == null || value == null) throw new IllegalArgumentException("param key and value must not be null");
            params.put(key, value);
            return this;
        }

        public Adaptation build() {
            return new Adaptation(placement, contentId, tone, format, cta, null, "app default", true, false, params, null);
        }
    }
}
