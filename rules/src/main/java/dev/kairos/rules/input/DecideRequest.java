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

    /** The id users are keyed by: {@code userId}, else {@code anonymousId}. */
    public String userKey() {
        return userId != null ? userId : anonymousId;
    }
}
