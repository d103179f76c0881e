package dev.kairos.sdk;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to {@link Kairos#decide}: one {@link Adaptation} per requested placement. Immutable.
 *
 * <p>{@link #source()} says where it came from: the server, the last good answer for the same
 * placements (when the server was slow or unreachable), or the SDK's default (show nothing). Only a
 * {@link Source#SERVER} decision has a {@link #decisionId()} to report outcomes against.
 */
public final class Decision {
    /** Where a decision came from. */
    public enum Source {
        /** The rules server answered in time. */
        SERVER,
        /** The server did not answer in time; this is the last good answer for the same placements. */
        CACHE,
        /** The server did not answer and there was no earlier answer: every placement shows nothing. */
        DEFAULT
    }

    private final String decisionId;
    private final String rulesVersion;
    private final String weightsVersion;
    private final List<Adaptation> adaptations;
    private final List<String> segments;
    private final Source source;

    public Decision(String decisionId, String rulesVersion, String weightsVersion, List<Adaptation> adaptations,
                    List<String> segments, Source source) {
        this.decisionId = decisionId;
        this.rulesVersion = rulesVersion;
        this.weightsVersion = weightsVersion;
        this.adaptations = Collections.unmodifiableList(new ArrayList<>(Objects.requireNonNull(adaptations, "adaptations")));
        this.segments = segments == null ? java.util.Collections.emptyList() : Collections.unmodifiableList(new ArrayList<>(segments));
        this.source = Objects.requireNonNull(source, "source");
    }

    /** The server's id for this decision; report outcomes with it. Same id for a cached answer. */
    public String decisionId() { return decisionId; }
    public String rulesVersion() { return rulesVersion; }
    public String weightsVersion() { return weightsVersion; }
    /** One adaptation per requested placement, in request order. */
    public List<Adaptation> adaptations() { return adaptations; }
    /** The segments the server placed the user in. */
    public List<String> segments() { return segments; }
    public Source source() { return source; }

    /** The adaptation for {@code placement}, if it was asked for. */
    public Optional<Adaptation> forPlacement(String placement) {
        for (Adaptation a : adaptations) if (a.placement().equals(placement)) return Optional.of(a);
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "Decision{" + source + ", id=" + decisionId + ", adaptations=" + adaptations + "}";
    }
}
