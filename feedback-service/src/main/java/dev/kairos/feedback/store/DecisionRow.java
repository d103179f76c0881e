package dev.kairos.feedback.store;

import java.util.List;
import java.util.Objects;

/**
 * One logged decision as stored: who, when, which rules and weights versions, the experiment variant
 * (or {@code null}), the signal components the rules saw, the matched rules, the segments and the
 * winning adaptation of each placement. {@code signalsJson} keeps every logged signal verbatim.
 */
public record DecisionRow(String decisionId, long decidedAt, String userKey, String sessionId, String rulesVersion,
                          String weightsVersion, boolean canary, String variant, double intentScore, double recency,
                          double depth, double conversionProbability, String signalsJson, List<String> matchedRules,
                          List<PlacementRow> placements, List<String> segments) {
    public DecisionRow {
        Objects.requireNonNull(decisionId, "decisionId");
        matchedRules = List.copyOf(matchedRules);
        placements = List.copyOf(placements);
        segments = List.copyOf(segments);
    }

    /** The adaptation that won one placement of a decision. */
    public record PlacementRow(String placement, String rule, String contentId, boolean fallback) {
        public PlacementRow {
            Objects.requireNonNull(placement, "placement");
        }
    }
}
