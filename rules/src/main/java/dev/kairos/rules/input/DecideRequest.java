package dev.kairos.rules.input;

import dev.kairos.rules.engine.DecisionInput;

import java.util.List;

/**
 * A validated decide request: who asks ({@code userId} and/or {@code anonymousId}; {@link #userKey()}
 * is the first present), the facts to evaluate, and the names of fields that were ignored
 * because Kairos does not know them (reported back as warnings, never an error, so old servers
 * accept newer clients).
 */
public record DecideRequest(String userId, String anonymousId, String sessionId, DecisionInput input,
                            List<String> ignoredFields) {
    public DecideRequest {
        ignoredFields = List.copyOf(ignoredFields);
    }

    /** The same request with the Tier-1 {@code base} items of its placements added to the facts. */
    public DecideRequest withBase(List<dev.kairos.rules.BaseItem> base) {
        return base.isEmpty() ? this : new DecideRequest(userId, anonymousId, sessionId, input.withBase(base), ignoredFields);
    }

    /** The same request with {@code segment} added to the facts' segments (a learned one, e.g. {@code ml_2}). */
    public DecideRequest withSegment(dev.kairos.rules.Segment segment) {
        List<dev.kairos.rules.Segment> segments = new java.util.ArrayList<>(input.segments());
        segments.add(segment);
        DecisionInput in = new DecisionInput(input.context(), input.signals(), input.profile(), segments, input.weights(), input.placements(),
                input.exposures(), input.base());
        return new DecideRequest(userId, anonymousId, sessionId, in, ignoredFields);
    }

    /** The id users are keyed by: {@code userId}, else {@code anonymousId}. */
    public String userKey() {
        return userId != null ? userId : anonymousId;
    }
}
