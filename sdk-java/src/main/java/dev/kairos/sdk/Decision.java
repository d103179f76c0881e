package dev.kairos.sdk;

import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The answer to {@link Kairos#decide}: one {@link Adaptation} per requested placement. Immutable,
 * apart from remembering which placements were {@linkplain #markShown() marked shown}.
 *
 * <p>{@link #source()} says where it came from: the server, the last good answers for the same
 * user, context and placements (when the server was slow or unreachable), or defaults (the app's
 * {@link Kairos.Builder#defaultAdaptation}, else show nothing). Only server and cached adaptations
 * have a {@link Adaptation#decisionId()} to report outcomes against.
 */
public final class Decision {
    /** Where a decision came from. */
    public enum Source {
        /** The rules server answered in time. */
        SERVER,
        /** The server did not answer in time; at least one placement is the last good answer for this user and context. */
        CACHE,
        /** The server was not asked (opted out) or did not answer and nothing was cached: every placement is a default. */
        DEFAULT
    }

    /** How a bound decision reports outcomes for the user it was made for; set by the client that made it. */
    interface Reporter {
        void report(Adaptation adaptation, Outcome outcome);
    }

    private final @Nullable String decisionId;
    private final @Nullable String rulesVersion;
    private final @Nullable String weightsVersion;
    private final List<Adaptation> adaptations;
    private final List<String> segments;
    private final Map<String, String> variants;
    private final Map<String, Object> explanation;
    private final Source source;
    private final Set<String> shown = ConcurrentHashMap.newKeySet();
    private volatile @Nullable Reporter reporter;

    public Decision(@Nullable String decisionId, @Nullable String rulesVersion, @Nullable String weightsVersion, List<Adaptation> adaptations,
                    @Nullable List<String> segments, Source source) {
        this(decisionId, rulesVersion, weightsVersion, adaptations, segments, null, null, source);
    }

    /** A decision with the experiment variants and the server's explanation. */
    public Decision(@Nullable String decisionId, @Nullable String rulesVersion, @Nullable String weightsVersion, List<Adaptation> adaptations,
                    @Nullable List<String> segments, @Nullable Map<String, String> variants, @Nullable Map<String, Object> explanation,
                    Source source) {
        this.decisionId = decisionId;
        this.rulesVersion = rulesVersion;
        this.weightsVersion = weightsVersion;
        List<Adaptation> list = new ArrayList<>(Objects.requireNonNull(adaptations, "adaptations").size());
        for (Adaptation a : adaptations) {
            // A server answer's adaptations come from this decision unless they say otherwise.
            list.add(a.decisionId() == null && decisionId != null && source == Source.SERVER ? a.withDecisionId(decisionId) : a);
        }
        this.adaptations = Collections.unmodifiableList(list);
        this.segments = segments == null ? Collections.emptyList() : Collections.unmodifiableList(new ArrayList<>(segments));
        this.variants = variants == null ? Collections.emptyMap() : Collections.unmodifiableMap(new LinkedHashMap<>(variants));
        this.explanation = explanation == null ? Collections.emptyMap() : Collections.unmodifiableMap(new LinkedHashMap<>(explanation));
        this.source = Objects.requireNonNull(source, "source");
    }

    /** The server's id for this decision; for a cached answer, the id of its first cached placement. {@code null} for defaults. */
    public @Nullable String decisionId() { return decisionId; }
    public @Nullable String rulesVersion() { return rulesVersion; }
    public @Nullable String weightsVersion() { return weightsVersion; }
    /** One adaptation per requested placement, in request order. */
    public List<Adaptation> adaptations() { return adaptations; }
    /** The segments the server placed the user in. */
    public List<String> segments() { return segments; }
    /**
     * The user's variant in every active experiment, experiment name → variant name (e.g.
     * {@code {"banner_copy": "copy_b"}}, {@code "holdout"} for a holdout); empty when none is
     * active or the answer is a default.
     */
    public Map<String, String> variants() { return variants; }
    /**
     * The server's explanation of a {@link Source#SERVER} answer as plain maps, lists, strings,
     * numbers and booleans: {@code placements} (per placement, why it got its adaptation),
     * {@code firedRules}, and {@code fallback} / {@code signals} when evaluation did not go as
     * usual (see the decide API). Empty for cached and default answers.
     */
    public Map<String, Object> explanation() { return explanation; }
    public Source source() { return source; }

    /** The adaptation for {@code placement}, if it was asked for. */
    public Optional<Adaptation> forPlacement(String placement) {
        for (Adaptation a : adaptations) if (a.placement().equals(placement)) return Optional.of(a);
        return Optional.empty();
    }

    /**
     * Reports that the app showed this decision's content: an {@link Outcome#IMPRESSION} for every
     * placement that {@linkplain Adaptation#hasContent() has content} and came from the server (or
     * its cache), at most once per placement however often it is called. Never blocks.
     */
    public void markShown() {
        for (Adaptation a : adaptations) if (a.hasContent()) markShown(a);
    }

    /** Like {@link #markShown()}, for one placement; ignored for a placement that was not asked for or has no decision. */
    public void markShown(String placement) {
        forPlacement(placement).ifPresent(this::markShown);
    }

    private void markShown(Adaptation a) {
        Reporter r = reporter;
        if (r == null || a.decisionId() == null) return;
        if (shown.add(a.placement())) r.report(a, Outcome.IMPRESSION);
    }

    /** Reports {@code outcome} for {@code a} as the bound user's; {@code false} when this decision is not bound to a client. */
    boolean report(Adaptation a, Outcome outcome) {
        Reporter r = reporter;
        if (r == null) return false;
        if (outcome == Outcome.IMPRESSION && !shown.add(a.placement())) return true; // once per placement, like markShown
        r.report(a, outcome);
        return true;
    }

    /** Whether {@link #markShown} reported {@code placement} already. */
    public boolean wasShown(String placement) {
        return shown.contains(placement);
    }

    Decision bind(Reporter reporter) {
        this.reporter = reporter;
        return this;
    }

    @Override
    public String toString() {
        return "Decision{" + source + ", id=" + decisionId + ", adaptations=" + adaptations + "}";
    }
}
