package dev.kairos.feedback.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.feedback.config.FeedbackTopics;
import dev.kairos.feedback.weights.Holdout;
import dev.kairos.feedback.weights.LogisticRegression;
import dev.kairos.rules.learn.Predictors;
import dev.kairos.service.api.ApiException;
import io.micronaut.configuration.kafka.annotation.KafkaClient;
import io.micronaut.context.annotation.Value;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.random.JDKRandomGenerator;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Learns the user models rules see as facts, from the logged decisions of the last {@code window}
 * (28 days), every {@code kairos.feedback.predictors.interval} (1 hour) or on
 * {@code POST /v1/predictors/refit}:
 * <ul>
 *   <li><b>conversion probability</b>: a logistic regression of "a conversion was reported for this
 *       decision" on the user's {@link Predictors} features at the time;</li>
 *   <li><b>churn risk</b>: the same of "the user did not come back (no decision at least 30 minutes
 *       later) within {@code churn-horizon} (7 days)", on decisions at least that old;</li>
 *   <li><b>ML segments</b>: mini-batch k-means over each user's latest features, warm-started from
 *       the clusters in use so that a cluster keeps its id as it drifts.</li>
 * </ul>
 * Predictors are validated on a held-out 20 % (by decision id): a version is published only if its
 * AUC beats 0.5 and is at least the AUC of the scores the decisions were made with (the prior or the
 * previous version). Everything fitted is stored ({@code learned_models}); published models go to
 * the learned-models (bandit) topic, which every rules-server instance follows.
 */
@Singleton
public class UserModelLearner {
    private static final Logger LOG = LoggerFactory.getLogger(UserModelLearner.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    static final String SEGMENTS = "segments";
    static final int HOLDOUT_PERCENT = 20;
    static final long VISIT_GAP = Duration.ofMinutes(30).toMillis();
    /** Features the segments cluster on: every predictor feature but the intercept. */
    static final List<String> SEGMENT_FEATURES = Predictors.NAMES.subList(1, Predictors.NAMES.size());

    private final UserModelStore store;
    private final Producer<String, byte[]> producer;
    private final String topic;
    private final boolean enabled;
    private final Duration window;
    private final Duration churnHorizon;
    private final int maxSamples;
    private final int minSamples;
    private final int clusters;
    private final Clock clock;

    @Inject
    public UserModelLearner(UserModelStore store, @KafkaClient("kairos-bandit") Producer<String, byte[]> producer, FeedbackTopics topics,
                            @Value("${kairos.feedback.predictors.enabled:true}") boolean enabled,
                            @Value("${kairos.feedback.predictors.window:28d}") Duration window,
                            @Value("${kairos.feedback.predictors.churn-horizon:7d}") Duration churnHorizon,
                            @Value("${kairos.feedback.predictors.max-samples:500000}") int maxSamples,
                            @Value("${kairos.feedback.predictors.min-samples:200}") int minSamples,
                            @Value("${kairos.feedback.segments.k:4}") int clusters) {
        this(store, producer, topics.bandit(), enabled, window, churnHorizon, maxSamples, minSamples, clusters, Clock.systemUTC());
    }

    UserModelLearner(UserModelStore store, Producer<String, byte[]> producer, String topic, boolean enabled, Duration window,
                     Duration churnHorizon, int maxSamples, int minSamples, int clusters, Clock clock) {
        if (clusters < 2 || clusters > 50) throw new IllegalArgumentException("kairos.feedback.segments.k must be between 2 and 50");
        this.store = store;
        this.producer = producer;
        this.topic = topic;
        this.enabled = enabled;
        this.window = window;
        this.churnHorizon = churnHorizon;
        this.maxSamples = Math.max(100, maxSamples);
        this.minSamples = Math.max(20, minSamples);
        this.clusters = clusters;
        this.clock = clock;
    }

    /** What one refit did for one model. */
    public record Result(String kind, String status, String reason, String version, Long trainingN, Long holdoutN, Double holdoutAuc,
                         Double baselineAuc) {
        static Result skipped(String kind, String reason) {
            return new Result(kind, "skipped", reason, null, null, null, null, null);
        }
    }

    @Scheduled(initialDelay = "2m", fixedDelay = "${kairos.feedback.predictors.interval:1h}")
    void scheduled() {
        if (!enabled) return;
        try {
            refit();
        } catch (RuntimeException e) {
            LOG.warn("learned models refit failed (retried at the next interval): {}", e.toString());
        }
    }

    /** Samples for one predictor: features column-wise, labels, the score decided with, a reservoir of at most {@code capacity}. */
    static final class Samples {
        final int capacity;
        final float[][] x = new float[Predictors.NAMES.size() - 1][];
        double[] baseline;
        final BitSet y = new BitSet();
        int size;
        long seen;
        final SplittableRandom random;

        Samples(int capacity, long seed) {
            this.capacity = capacity;
            for (int j = 0; j < x.length; j++) x[j] = new float[Math.min(capacity, 1 << 16)];
            baseline = new double[Math.min(capacity, 1 << 16)];
            random = new SplittableRandom(seed);
        }

        void add(double[] f, boolean label, double scoreDecidedWith) {
            seen++;
            int slot;
            if (size < capacity) {
                slot = size++;
                if (slot >= x[0].length) {
                    int grown = Math.min(capacity, x[0].length * 2);
                    for (int j = 0; j < x.length; j++) x[j] = java.util.Arrays.copyOf(x[j], grown);
                    baseline = java.util.Arrays.copyOf(baseline, grown);
                }
            } else {
                long r = random.nextLong(seen);
                if (r >= capacity) return;
                slot = (int) r;
            }
            for (int j = 0; j < x.length; j++) x[j][slot] = (float) f[j + 1];
            y.set(slot, label);
            baseline[slot] = scoreDecidedWith;
        }

        int positives() {
            return y.get(0, size).cardinality();
        }
    }

    /** Refits every model with enough data and publishes the ones that pass; returns what each did, by kind. */
    public synchronized Map<String, Result> refit() {
        Instant now = clock.instant();
        long until = now.toEpochMilli() + 1, churnLabelledUntil = now.minus(churnHorizon).toEpochMilli();
        Samples convFit = new Samples(maxSamples, 1), convHold = new Samples(maxSamples / 4, 2);
        Samples churnFit = new Samples(maxSamples, 3), churnHold = new Samples(maxSamples / 4, 4);
        List<double[]> users = new ArrayList<>();
        // per user: the decisions so far (time, features, churn score), labelled when the user's decisions end
        List<Long> times = new ArrayList<>();
        List<double[]> features = new ArrayList<>();
        List<Double> churnScores = new ArrayList<>();
        List<Boolean> holdout = new ArrayList<>();
        String[] user = {null};
        long[] usersSeen = {0};
        SplittableRandom userSampler = new SplittableRandom(6);
        Runnable flush = () -> {
            int n = times.size();
            for (int i = 0, j = 0; i < n; i++) {
                long t = times.get(i);
                if (t > churnLabelledUntil) continue;
                if (j <= i) j = i + 1;
                while (j < n && times.get(j) < t + VISIT_GAP) j++;
                boolean churned = j >= n || times.get(j) > t + churnHorizon.toMillis();
                (holdout.get(i) ? churnHold : churnFit).add(features.get(i), churned, churnScores.get(i));
            }
            if (n > 0) {
                // each user's latest features; a uniform sample of maxSamples users when there are more
                usersSeen[0]++;
                if (users.size() < maxSamples) users.add(features.get(n - 1));
                else {
                    long r = userSampler.nextLong(usersSeen[0]);
                    if (r < maxSamples) users.set((int) r, features.get(n - 1));
                }
            }
            times.clear();
            features.clear();
            churnScores.clear();
            holdout.clear();
        };
        store.forEachDecision(now.minus(window).toEpochMilli(), until, (id, userKey, at, signals, converted) -> {
            JsonNode s;
            try {
                s = JSON.readTree(signals);
            } catch (IOException e) {
                return;
            }
            if (!userKey.equals(user[0])) {
                flush.run();
                user[0] = userKey;
            }
            double[] f = Predictors.features(name -> s.path(name).asDouble(0));
            boolean held = Holdout.contains(id, HOLDOUT_PERCENT);
            (held ? convHold : convFit).add(f, converted, s.path("conversionProbability").asDouble(0));
            times.add(at);
            features.add(f);
            churnScores.add(s.path("churnRisk").asDouble(0));
            holdout.add(held);
        });
        flush.run();
        String stamp = STAMP.format(now);
        Map<String, Result> out = new LinkedHashMap<>();
        out.put(Predictors.CONVERSION, fitPredictor(Predictors.CONVERSION, unique("c" + stamp), convFit, convHold, now));
        out.put(Predictors.CHURN, fitPredictor(Predictors.CHURN, unique("k" + stamp), churnFit, churnHold, now));
        out.put(SEGMENTS, fitSegments(unique("s" + stamp), users, now));
        return out;
    }

    /** {@code base}, or {@code base-2}, {@code base-3}… when refits fall in the same second. */
    private String unique(String base) {
        String v = base;
        for (int i = 2; store.exists(v); i++) v = base + "-" + i;
        return v;
    }

    private Result fitPredictor(String kind, String version, Samples fit, Samples hold, Instant now) {
        int fitPos = fit.positives(), holdPos = hold.positives();
        if (fit.size < minSamples || holdPos < 20 || hold.size - holdPos < 20 || fitPos == 0 || fitPos == fit.size) {
            return Result.skipped(kind, "too little data: " + fit.size + " decisions to fit (need " + minSamples + "), " + holdPos + " positive and "
                    + (hold.size - holdPos) + " negative held out (need 20 of each)");
        }
        double[] beta = LogisticRegression.fit(fit.x, fit.y, fit.size, 0.001);
        Predictors.Model model = new Predictors.Model(kind, version, beta);
        double[] scores = new double[hold.size];
        double[] row = new double[Predictors.NAMES.size()];
        row[0] = 1;
        for (int i = 0; i < hold.size; i++) {
            for (int j = 0; j < hold.x.length; j++) row[j + 1] = hold.x[j][i];
            scores[i] = model.predict(row);
        }
        double auc = LogisticRegression.auc(scores, hold.y, hold.size);
        double baselineAuc = LogisticRegression.auc(hold.baseline, hold.y, hold.size);
        boolean publish = auc > 0.5 && !(auc < baselineAuc - 1e-12);
        String reason = String.format(Locale.ROOT, "held-out AUC %.4f vs %.4f for the scores decided with, on %d decisions", auc, baselineAuc, hold.size);
        if (fit.seen + hold.seen > fit.size + hold.size) reason += " (a uniform sample of " + (fit.size + hold.size) + " of " + (fit.seen + hold.seen) + ")";
        ObjectNode json = JSON.createObjectNode();
        json.put("kind", kind);
        json.put("version", version);
        ArrayNode names = json.putArray("features");
        Predictors.NAMES.forEach(names::add);
        ArrayNode c = json.putArray("coefficients");
        for (double b : beta) c.add(b);
        json.put("holdoutAuc", auc);
        UserModelStore.Version v = new UserModelStore.Version(version, kind, now.toEpochMilli(), json.toString(), fit.size, hold.size, auc,
                Double.isNaN(baselineAuc) ? null : baselineAuc, publish ? "published" : "rejected", (publish ? "better: " : "not better: ") + reason);
        if (publish) send("predictor:" + kind, json);
        store.save(v);
        LOG.info("{} model {}: {} ({})", kind, version, v.status(), reason);
        return new Result(kind, v.status(), v.reason(), version, (long) fit.size, (long) hold.size, auc, v.baselineAuc());
    }

    /**
     * Mini-batch k-means (Sculley 2010) over the users' latest features: starts from the published
     * clusters when there are as many (each keeps its id), else from k-means++ (Commons Math) on a
     * sample, matched to the published ones by distance so that ids stay where they can.
     */
    Result fitSegments(String version, List<double[]> users, Instant now) {
        int k = clusters, d = SEGMENT_FEATURES.size();
        if (users.size() < Math.max(minSamples, 10 * k)) {
            return Result.skipped(SEGMENTS, "too little data: " + users.size() + " users (need " + Math.max(minSamples, 10 * k) + ")");
        }
        double[][] points = new double[users.size()][];
        for (int i = 0; i < points.length; i++) points[i] = java.util.Arrays.copyOfRange(users.get(i), 1, d + 1);
        Optional<Previous> previous = previousSegments();
        double[][] centroids;
        int[] ids = new int[k];
        boolean warm = previous.isPresent() && previous.get().centroids.length == k;
        if (warm) {
            centroids = new double[k][];
            for (int c = 0; c < k; c++) centroids[c] = previous.get().centroids[c].clone();
            ids = previous.get().ids.clone();
        } else {
            centroids = kMeansPlusPlus(points, k);
            ids = assignIds(centroids, previous.orElse(null));
        }
        SplittableRandom random = new SplittableRandom(17);
        long[] counts = new long[k];
        int batch = Math.min(1000, points.length);
        int iterations = Math.max(20, 10 * points.length / batch);
        for (int it = 0; it < iterations; it++) {
            for (int b = 0; b < batch; b++) {
                double[] x = points[random.nextInt(points.length)];
                int c = nearest(centroids, x);
                double eta = 1.0 / ++counts[c];
                for (int j = 0; j < d; j++) centroids[c][j] += eta * (x[j] - centroids[c][j]);
            }
        }
        long[] sizes = new long[k];
        double inertia = 0;
        for (double[] x : points) {
            int c = nearest(centroids, x);
            sizes[c]++;
            inertia += distance(centroids[c], x);
        }
        double[] mean = new double[d], sd = new double[d];
        for (double[] x : points) for (int j = 0; j < d; j++) mean[j] += x[j] / points.length;
        for (double[] x : points) for (int j = 0; j < d; j++) sd[j] += (x[j] - mean[j]) * (x[j] - mean[j]) / points.length;
        for (int j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]);
        ObjectNode json = JSON.createObjectNode();
        json.put("version", version);
        ArrayNode names = json.putArray("features");
        SEGMENT_FEATURES.forEach(names::add);
        ArrayNode list = json.putArray("clusters");
        for (int c = 0; c < k; c++) {
            ObjectNode n = list.addObject();
            n.put("id", ids[c]);
            n.put("name", dev.kairos.rules.learn.Segments.PREFIX + ids[c]);
            n.put("label", label(centroids[c], mean, sd));
            n.put("users", sizes[c]);
            ArrayNode cn = n.putArray("centroid");
            for (double v : centroids[c]) cn.add(v);
        }
        json.put("meanSquaredDistance", inertia / points.length);
        String reason = String.format(Locale.ROOT, "%d clusters of %d users, mean squared distance %.4f, %s", k, points.length, inertia / points.length,
                warm ? "refined from " + previous.get().version + " (same ids)" : previous.isPresent() ? "k-means++ start, ids matched to " + previous.get().version
                        : "k-means++ start");
        send(SEGMENTS, json);
        store.save(new UserModelStore.Version(version, SEGMENTS, now.toEpochMilli(), json.toString(), points.length, 0, null, null, "published", reason));
        LOG.info("segments {}: {}", version, reason);
        return new Result(SEGMENTS, "published", reason, version, (long) points.length, 0L, null, null);
    }

    /** The clusters in use: their version, ids and centroids. */
    record Previous(String version, int[] ids, double[][] centroids) {}

    Optional<Previous> previousSegments() {
        return store.published(SEGMENTS).map(v -> {
            try {
                JsonNode n = JSON.readTree(v.model());
                JsonNode cs = n.path("clusters");
                int[] ids = new int[cs.size()];
                double[][] centroids = new double[cs.size()][];
                for (int c = 0; c < cs.size(); c++) {
                    ids[c] = cs.get(c).path("id").asInt();
                    JsonNode x = cs.get(c).path("centroid");
                    centroids[c] = new double[x.size()];
                    for (int j = 0; j < x.size(); j++) centroids[c][j] = x.get(j).asDouble();
                }
                return new Previous(v.version(), ids, centroids);
            } catch (IOException e) {
                return null;
            }
        }).filter(p -> p.centroids.length == 0 || p.centroids[0].length == SEGMENT_FEATURES.size());
    }

    private static double[][] kMeansPlusPlus(double[][] points, int k) {
        List<DoublePoint> sample = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < Math.min(points.length, 5000); i++) sample.add(new DoublePoint(points[points.length <= 5000 ? i : random.nextInt(points.length)]));
        JDKRandomGenerator seed = new JDKRandomGenerator();
        seed.setSeed(42);
        List<CentroidCluster<DoublePoint>> found = new KMeansPlusPlusClusterer<DoublePoint>(k, 50, new org.apache.commons.math3.ml.distance.EuclideanDistance(), seed)
                .cluster(sample);
        double[][] centroids = new double[k][];
        for (int c = 0; c < k; c++) centroids[c] = c < found.size() ? found.get(c).getCenter().getPoint().clone() : points[random.nextInt(points.length)].clone();
        return centroids;
    }

    /** Ids for fresh centroids: each takes the id of the nearest previous cluster not taken yet (greedy by distance), others new ids. */
    static int[] assignIds(double[][] centroids, Previous previous) {
        int k = centroids.length;
        int[] ids = new int[k];
        java.util.Arrays.fill(ids, -1);
        int next = 0;
        if (previous != null) {
            for (int id : previous.ids) next = Math.max(next, id + 1);
            boolean[] taken = new boolean[previous.ids.length];
            for (int round = 0; round < Math.min(k, previous.ids.length); round++) {
                double best = Double.MAX_VALUE;
                int bc = -1, bp = -1;
                for (int c = 0; c < k; c++) {
                    if (ids[c] >= 0) continue;
                    for (int p = 0; p < previous.ids.length; p++) {
                        if (taken[p]) continue;
                        double dist = distance(centroids[c], previous.centroids[p]);
                        if (dist < best) {
                            best = dist;
                            bc = c;
                            bp = p;
                        }
                    }
                }
                ids[bc] = previous.ids[bp];
                taken[bp] = true;
            }
        }
        for (int c = 0; c < k; c++) if (ids[c] < 0) ids[c] = next++;
        return ids;
    }

    /** What sets a centroid apart: its two features furthest from the mean, in standard deviations, e.g. {@code "high cart, low sessions"}. */
    static String label(double[] centroid, double[] mean, double[] sd) {
        Integer[] order = new Integer[centroid.length];
        for (int j = 0; j < order.length; j++) order[j] = j;
        double[] z = new double[centroid.length];
        for (int j = 0; j < z.length; j++) z[j] = sd[j] > 1e-9 ? (centroid[j] - mean[j]) / sd[j] : 0;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(Math.abs(z[b]), Math.abs(z[a])));
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < 2 && i < order.length; i++) {
            if (Math.abs(z[order[i]]) < 0.25) break;
            parts.add((z[order[i]] > 0 ? "high " : "low ") + SEGMENT_FEATURES.get(order[i]));
        }
        return parts.isEmpty() ? "typical" : String.join(", ", parts);
    }

    static int nearest(double[][] centroids, double[] x) {
        int best = 0;
        double bd = Double.MAX_VALUE;
        for (int c = 0; c < centroids.length; c++) {
            double dist = distance(centroids[c], x);
            if (dist < bd) {
                bd = dist;
                best = c;
            }
        }
        return best;
    }

    static double distance(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) s += (a[j] - b[j]) * (a[j] - b[j]);
        return s;
    }

    private void send(String key, JsonNode json) {
        try {
            producer.send(new ProducerRecord<>(topic, key, json.toString().getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw ApiException.unavailable("could not publish the learned model " + key + ": " + e.getMessage());
        }
    }

    /** The versions stored, newest first, and the one of each kind in use. */
    public Map<String, Object> overview() {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, String> inUse = new LinkedHashMap<>();
        for (String kind : List.of(Predictors.CONVERSION, Predictors.CHURN, SEGMENTS)) {
            store.published(kind).ifPresent(v -> inUse.put(kind, v.version()));
        }
        out.put("inUse", inUse);
        out.put("versions", store.versions(50));
        return out;
    }

    /** The segments in use, or empty. */
    public Optional<JsonNode> segments() {
        return store.published(SEGMENTS).map(v -> {
            try {
                return JSON.readTree(v.model());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
