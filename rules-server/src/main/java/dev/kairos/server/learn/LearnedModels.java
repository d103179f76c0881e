package dev.kairos.server.learn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.rules.Profile;
import dev.kairos.rules.Segment;
import dev.kairos.rules.Signals;
import dev.kairos.rules.input.DecideRequest;
import dev.kairos.rules.input.StoredUser;
import dev.kairos.rules.learn.Predictors;
import dev.kairos.rules.learn.Segments;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The learned user models decisions use, as the feedback service publishes them on the learned-models
 * (bandit) topic: {@code predictor:conversion} and {@code predictor:churn} (logistic models over
 * {@link Predictors#NAMES}) and {@code segments} (k-means centroids). Every instance reads them all
 * ({@link BanditModels} follows the topic). For a user the signal engine knows, the conversion model
 * replaces the built-in conversion-probability prior and the churn model the churn prior; every
 * decision gets its nearest learned segment as a {@code Segment} fact ({@code ml_<id>}). Thread-safe.
 */
@Singleton
public class LearnedModels {
    /** Keys of predictive models on the topic: this prefix and the model's kind. */
    public static final String PREDICTOR = "predictor:";
    /** The key of the learned segments. */
    public static final String SEGMENTS = "segments";

    private volatile Predictors.Model conversion, churn;
    private volatile Segments segments;

    /** Whether {@code key} names a learned user model (not a bandit choice point). */
    static boolean owns(String key) {
        return key.startsWith(PREDICTOR) || key.equals(SEGMENTS);
    }

    /** Takes the record of {@code key} ({@code null}: removed); throws for one that is not valid. */
    void receive(String key, JsonNode n) {
        if (key.equals(SEGMENTS)) {
            segments = n == null ? null : parseSegments(n);
            return;
        }
        String kind = key.substring(PREDICTOR.length());
        Predictors.Model m = n == null ? null : parseModel(kind, n);
        switch (kind) {
            case Predictors.CONVERSION -> conversion = m;
            case Predictors.CHURN -> churn = m;
            default -> throw new IllegalArgumentException("unknown predictive model '" + kind + "'");
        }
    }

    static Predictors.Model parseModel(String kind, JsonNode n) {
        List<String> names = new ArrayList<>();
        n.path("features").forEach(f -> names.add(f.asText()));
        if (!names.equals(Predictors.NAMES)) throw new IllegalArgumentException("features " + names + " are not " + Predictors.NAMES);
        double[] c = new double[n.path("coefficients").size()];
        for (int i = 0; i < c.length; i++) c[i] = n.path("coefficients").get(i).asDouble(Double.NaN);
        return new Predictors.Model(kind, n.path("version").asText(), c);
    }

    static Segments parseSegments(JsonNode n) {
        List<Integer> ids = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<double[]> centroids = new ArrayList<>();
        for (JsonNode c : n.path("clusters")) {
            ids.add(c.path("id").asInt());
            labels.add(c.path("label").asText(""));
            double[] x = new double[c.path("centroid").size()];
            for (int i = 0; i < x.length; i++) x[i] = c.path("centroid").get(i).asDouble(Double.NaN);
            centroids.add(x);
        }
        return new Segments(n.path("version").asText(), ids, labels, centroids);
    }

    /**
     * Scores a stored user before the request's own signals are fused in (so a request that sends
     * {@code conversionProbability} still wins): conversion probability from the learned model, if
     * any, and churn risk from the learned model or the prior.
     */
    public void apply(StoredUser stored) {
        if (stored == null) return;
        Predictors.Model c = conversion, k = churn;
        double[] x = Predictors.features(stored.signals().peek(), stored.profile());
        if (c != null) stored.signals().conversionProbability(c.predict(x));
        stored.signals().churnRisk(k != null ? k.predict(x) : Predictors.churnPrior(x));
    }

    /** The request with its user's learned segment added, when segments are learned. */
    public DecideRequest segment(DecideRequest request) {
        Segments s = segments;
        if (s == null) return request;
        Signals signals = request.input().signals();
        Profile profile = request.input().profile();
        return request.withSegment(Segment.of(s.segmentOf(Predictors.features(signals, profile))));
    }

    /** The versions in use, by model ({@code conversion}, {@code churn}, {@code segments}); absent when none. */
    public Map<String, String> versions() {
        Map<String, String> out = new TreeMap<>();
        Predictors.Model c = conversion, k = churn;
        Segments s = segments;
        if (c != null) out.put(Predictors.CONVERSION, c.version());
        if (k != null) out.put(Predictors.CHURN, k.version());
        if (s != null) out.put(SEGMENTS, s.version());
        return out;
    }
}
