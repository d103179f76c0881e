package dev.kairos.rules.learn;

import java.util.List;

/**
 * Learned (ML) segments: the centroids of a k-means clustering of users' {@link Predictors}
 * features (without the intercept), each with a stable id, so that a user's nearest centroid becomes
 * a {@code Segment} fact named {@code ml_<id>} next to the rule-based segments. The feedback service
 * refits them on a schedule, keeping each cluster's id while it moves; rules-server assigns users.
 *
 * @param version   the clustering's version
 * @param ids       each centroid's stable id
 * @param labels    each centroid's description (what sets it apart, e.g. {@code "high cart, high sessions"})
 * @param centroids the centroids, {@code Predictors.NAMES.size() - 1} values each
 */
public record Segments(String version, List<Integer> ids, List<String> labels, List<double[]> centroids) {
    /** The prefix of learned segments' names. */
    public static final String PREFIX = "ml_";

    public Segments {
        if (ids.size() != centroids.size() || labels.size() != ids.size() || ids.isEmpty()) {
            throw new IllegalArgumentException("segments need one id and label per centroid, and at least one");
        }
        for (double[] c : centroids) {
            if (c.length != Predictors.NAMES.size() - 1) throw new IllegalArgumentException("a centroid needs " + (Predictors.NAMES.size() - 1) + " values");
            for (double v : c) if (!Double.isFinite(v)) throw new IllegalArgumentException("centroid values must be finite");
        }
        ids = List.copyOf(ids);
        labels = List.copyOf(labels);
        centroids = List.copyOf(centroids);
    }

    /** The index of the centroid nearest to {@code features} (with the intercept first, as {@link Predictors#features}). */
    public int nearest(double[] features) {
        int best = 0;
        double bestDistance = Double.MAX_VALUE;
        for (int k = 0; k < centroids.size(); k++) {
            double[] c = centroids.get(k);
            double d = 0;
            for (int i = 0; i < c.length; i++) {
                double x = features[i + 1] - c[i];
                d += x * x;
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }

    /** The segment name of {@code features}' nearest centroid, e.g. {@code ml_2}. */
    public String segmentOf(double[] features) {
        return PREFIX + ids.get(nearest(features));
    }
}
