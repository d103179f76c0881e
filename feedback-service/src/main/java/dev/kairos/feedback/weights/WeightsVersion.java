package dev.kairos.feedback.weights;

import java.time.Instant;
import java.util.Map;

/**
 * One weights version: {@code intentScore = recency·r + depth·d + conversion·c} plus named weights,
 * and how it was judged. {@code status} is {@code published} (it passed validation and went out at
 * least once), {@code rejected} (it did worse than the baseline on the held-out slice, or there was
 * too little data; kept for the record, never published) or {@code default} (the built-in prior).
 *
 * @param holdoutAuc  AUC of this version's intent score on the held-out slice ({@code null} if not measured)
 * @param baselineAuc AUC of the version in use ({@code baseline}) on the same slice
 */
public record WeightsVersion(String version, Instant createdAt, double recency, double depth, double conversion,
                             Map<String, Double> named, Long trainingN, Long holdoutN, Double holdoutAuc, Double baselineAuc,
                             String baseline, String status, String reason) {
    public static final String PUBLISHED = "published";
    public static final String REJECTED = "rejected";
    public static final String DEFAULT = "default";

    /** The built-in prior rules-server starts with (w1 0.4, w2 0.3, w3 0.3, highIntentThreshold 0.8). */
    public static final WeightsVersion PRIOR = new WeightsVersion("default", Instant.EPOCH, 0.4, 0.3, 0.3,
            Map.of("highIntentThreshold", 0.8), null, null, null, null, null, DEFAULT, "built-in prior");

    public WeightsVersion {
        named = named == null ? Map.of() : Map.copyOf(named);
    }

    /** The score this version gives a placement's signal components. */
    public double score(double r, double d, double c) {
        return recency * r + depth * d + conversion * c;
    }
}
