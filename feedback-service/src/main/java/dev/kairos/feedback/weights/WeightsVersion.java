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
 * @param offPolicy   what replaying the pack in use with these weights on the logged decisions
 *                    estimates, before publishing ({@code null} when not estimated)
 */
public record WeightsVersion(String version, Instant createdAt, double recency, double depth, double conversion,
                             Map<String, Double> named, Long trainingN, Long holdoutN, Double holdoutAuc, Double baselineAuc,
                             String baseline, String status, String reason, OffPolicy offPolicy) {
    public static final String PUBLISHED = "published";
    public static final String REJECTED = "rejected";
    public static final String DEFAULT = "default";

    /** The built-in prior rules-server starts with (w1 0.4, w2 0.3, w3 0.3, highIntentThreshold 0.8). */
    public static final WeightsVersion PRIOR = new WeightsVersion("default", Instant.EPOCH, 0.4, 0.3, 0.3,
            Map.of("highIntentThreshold", 0.8), null, null, null, null, null, DEFAULT, "built-in prior");

    public WeightsVersion {
        named = named == null ? Map.of() : Map.copyOf(named);
    }

    public WeightsVersion(String version, Instant createdAt, double recency, double depth, double conversion,
                          Map<String, Double> named, Long trainingN, Long holdoutN, Double holdoutAuc, Double baselineAuc,
                          String baseline, String status, String reason) {
        this(version, createdAt, recency, depth, conversion, named, trainingN, holdoutN, holdoutAuc, baselineAuc, baseline, status, reason, null);
    }

    /**
     * The off-policy estimate of a candidate: the pack in use replayed on the logged decisions of the
     * window with the candidate's weights, inverse-propensity scored (docs/feedback.md#off-policy).
     *
     * @param available  whether it could be computed (rules-server reachable, decisions with facts logged)
     * @param ctrDelta   the estimated change of the engagement rate (0.012 = +1.2 points) against what was logged
     * @param ciLow      the 95 % interval's low end
     * @param ciHigh     its high end
     * @param replayed   decisions replayed
     * @param changed    decisions whose content the candidate changes
     * @param overlap    share of shown placements where the candidate shows what was logged
     * @param unsupported share of shown placements the candidate changes where the logs never explored
     *                   (no evidence either way: counted as no engagement)
     * @param note       why it is not available, or how it was made
     */
    public record OffPolicy(boolean available, Double ctrDelta, Double ciLow, Double ciHigh, Long replayed, Long changed,
                            Double overlap, Double unsupported, String note) {
        public static OffPolicy unavailable(String why) {
            return new OffPolicy(false, null, null, null, null, null, null, null, why);
        }

        /**
         * The estimate says the candidate is worse even at its most favourable: its interval's high
         * end stays below 0 when every unsupported placement (changed where the logs never explored,
         * counted as not engaged) is counted as engaged instead. Unsupported placements can only
         * bias the estimate downwards, by at most their share, so this never rejects for lack of
         * evidence.
         */
        public boolean confidentlyWorse() {
            return available && ciHigh != null && ciHigh + (unsupported == null ? 0 : unsupported) < 0;
        }

        /** Below 0 as estimated, but not once the unsupported placements are given the benefit of the doubt. */
        public boolean inconclusive() {
            return available && ciHigh != null && ciHigh < 0 && !confidentlyWorse();
        }
    }

    /** This version with its off-policy estimate. */
    public WeightsVersion withOffPolicy(OffPolicy o) {
        return new WeightsVersion(version, createdAt, recency, depth, conversion, named, trainingN, holdoutN, holdoutAuc, baselineAuc,
                baseline, status, reason, o);
    }

    /** This version judged: {@code status} with {@code reason}. */
    public WeightsVersion judged(String status, String reason) {
        return new WeightsVersion(version, createdAt, recency, depth, conversion, named, trainingN, holdoutN, holdoutAuc, baselineAuc,
                baseline, status, reason, offPolicy);
    }

    /** The score this version gives a placement's signal components. */
    public double score(double r, double d, double c) {
        return recency * r + depth * d + conversion * c;
    }
}
