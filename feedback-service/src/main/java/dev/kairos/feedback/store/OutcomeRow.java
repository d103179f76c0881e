package dev.kairos.feedback.store;

import java.util.Objects;

/**
 * One outcome as stored. {@code outcomeKey} is the client's {@code outcomeId} when it sent one, else
 * {@code decisionId/placement/type} (see {@link #keyOf}); it makes a replayed outcome a no-op.
 * {@code type} is one of {@code impression}, {@code click}, {@code dismiss}, {@code conversion}.
 */
public record OutcomeRow(String outcomeKey, String decisionId, String placement, String type, String userKey,
                         String rule, Double value, long occurredAt, long receivedAt) {
    public OutcomeRow {
        Objects.requireNonNull(outcomeKey, "outcomeKey");
        Objects.requireNonNull(decisionId, "decisionId");
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(type, "type");
    }

    /** The idempotency key: the same rule rules-server's ingest de-duplicates with. */
    public static String keyOf(String outcomeId, String decisionId, String placement, String type) {
        return outcomeId != null ? outcomeId : decisionId + "/" + placement + "/" + type;
    }
}
