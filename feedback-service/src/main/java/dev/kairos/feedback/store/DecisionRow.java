package dev.kairos.feedback.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One logged decision as stored: who, when, which rules and weights versions, the experiment
 * variants, the signal components the rules saw, the matched rules, the segments and the winning
 * adaptation of each placement. {@code signalsJson} keeps every logged signal verbatim;
 * {@code factsJson} every fact the rules saw (rules-server's {@code facts}), for replay, or null.
 * {@code fallbackReason} ({@code deadline}, {@code error}, {@code overloaded}) when the rules did
 * not answer, and {@code latencyMicros} (−1 when not logged) feed the canary's health guardrails.
 *
 * <p>{@code variants} maps each experiment the decision was made under to the user's variant in it
 * ({@code "holdout"} for its holdout); {@code variant} is the single label rules-server also logs,
 * {@code "experiment:variant"} of the first experiment (or {@code null}). A label without an
 * experiment (no {@code ':'}) is kept under the experiment {@code ""} ({@link #NO_EXPERIMENT}).
 */
public record DecisionRow(String decisionId, long decidedAt, String userKey, String sessionId, String rulesVersion,
                          String weightsVersion, boolean canary, String variant, double intentScore, double recency,
                          double depth, double conversionProbability, String signalsJson, List<String> matchedRules,
                          List<PlacementRow> placements, List<String> segments, Map<String, String> variants, String factsJson,
                          String fallbackReason, long latencyMicros) {
    /** The experiment of a variant label logged without one. */
    public static final String NO_EXPERIMENT = "";

    /** A decision without its health data (records before rules-server logged latency and fallback reasons). */
    public DecisionRow(String decisionId, long decidedAt, String userKey, String sessionId, String rulesVersion,
                       String weightsVersion, boolean canary, String variant, double intentScore, double recency,
                       double depth, double conversionProbability, String signalsJson, List<String> matchedRules,
                       List<PlacementRow> placements, List<String> segments, Map<String, String> variants, String factsJson) {
        this(decisionId, decidedAt, userKey, sessionId, rulesVersion, weightsVersion, canary, variant, intentScore, recency,
                depth, conversionProbability, signalsJson, matchedRules, placements, segments, variants, factsJson, null, -1);
    }

    /** A decision logged without its facts (records before they were logged, or with fact logging off). */
    public DecisionRow(String decisionId, long decidedAt, String userKey, String sessionId, String rulesVersion,
                       String weightsVersion, boolean canary, String variant, double intentScore, double recency,
                       double depth, double conversionProbability, String signalsJson, List<String> matchedRules,
                       List<PlacementRow> placements, List<String> segments, Map<String, String> variants) {
        this(decisionId, decidedAt, userKey, sessionId, rulesVersion, weightsVersion, canary, variant, intentScore, recency,
                depth, conversionProbability, signalsJson, matchedRules, placements, segments, variants, null);
    }

    public DecisionRow {
        Objects.requireNonNull(decisionId, "decisionId");
        matchedRules = List.copyOf(matchedRules);
        placements = List.copyOf(placements);
        segments = List.copyOf(segments);
        variants = variants == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(variants));
    }

    /** A decision of one experiment at most: {@code variants} is derived from the {@code variant} label. */
    public DecisionRow(String decisionId, long decidedAt, String userKey, String sessionId, String rulesVersion,
                       String weightsVersion, boolean canary, String variant, double intentScore, double recency,
                       double depth, double conversionProbability, String signalsJson, List<String> matchedRules,
                       List<PlacementRow> placements, List<String> segments) {
        this(decisionId, decidedAt, userKey, sessionId, rulesVersion, weightsVersion, canary, variant, intentScore, recency,
                depth, conversionProbability, signalsJson, matchedRules, placements, segments, fromLabel(variant));
    }

    /** {@code "experiment:variant"} as one entry (split at the first {@code ':'}); empty for {@code null}. */
    public static Map<String, String> fromLabel(String label) {
        if (label == null || label.isEmpty()) return Map.of();
        int colon = label.indexOf(':');
        return colon < 0 ? Map.of(NO_EXPERIMENT, label) : Map.of(label.substring(0, colon), label.substring(colon + 1));
    }

    /** The label KPIs group by: {@code "experiment:variant"}, or the variant alone under {@link #NO_EXPERIMENT}. */
    public static String label(String experiment, String variant) {
        return NO_EXPERIMENT.equals(experiment) ? variant : experiment + ":" + variant;
    }

    /** The adaptation that won one placement of a decision. */
    public record PlacementRow(String placement, String rule, String contentId, boolean fallback) {
        public PlacementRow {
            Objects.requireNonNull(placement, "placement");
        }
    }
}
