package dev.kairos.rules;

import java.util.Map;
import java.util.Objects;

/**
 * The current calibrated signal weights, versioned, so that rules and scores use the same numbers.
 * {@code score = w1·recency + w2·depth + w3·conversionProbability}, clamped to 0..1. Other named
 * weights (e.g. per campaign objective) are in {@link #get(String)}.
 *
 * <pre>Weights( version != "default" )
 *$w : Weights()
 *Signals( intentScore &gt; $w.get("highIntentThreshold") )</pre>
 */
public final class Weights {
    /** The prior until a recalibration publishes a version: w1 0.4, w2 0.3, w3 0.3. */
    /** Named weights every version has unless it overrides them: {@code highIntentThreshold 0.8}. */
    public static final Map<String, Double> DEFAULT_NAMED = Map.of("highIntentThreshold", 0.8);
    public static final Weights DEFAULT = new Weights("default", 0.4, 0.3, 0.3, Map.of());

    private final String version;
    private final double recency;
    private final double depth;
    private final double conversion;
    private final Map<String, Double> named;

    /**
     * @param version    version label shown in every decision
     * @param recency    w1, weight of recency
     * @param depth      w2, weight of depth
     * @param conversion w3, weight of conversion probability
     * @param named      other named weights (copied); names it lacks keep their {@link #DEFAULT_NAMED} value
     */
    public Weights(String version, double recency, double depth, double conversion, Map<String, Double> named) {
        if (version == null || version.isBlank()) throw new IllegalArgumentException("version must not be blank");
        for (double w : new double[] {recency, depth, conversion}) {
            if (!Double.isFinite(w) || w < 0) throw new IllegalArgumentException("weights must be finite and >= 0, were " + recency + ", " + depth + ", " + conversion);
        }
        this.version = version;
        this.recency = recency;
        this.depth = depth;
        this.conversion = conversion;
        Map<String, Double> all = new java.util.HashMap<>(DEFAULT_NAMED);
        all.putAll(named);
        this.named = Map.copyOf(all);
    }

    public String getVersion() { return version; }
    /** w1. */
    public double getRecency() { return recency; }
    /** w2. */
    public double getDepth() { return depth; }
    /** w3. */
    public double getConversion() { return conversion; }
    public Map<String, Double> getNamed() { return named; }

    /** A named weight, 0 when absent. */
    public double get(String name) { return named.getOrDefault(name, 0.0); }

    /** The intent score for the given components, clamped to 0..1. */
    public double score(double recencyScore, double depthScore, double conversionProbability) {
        double s = recency * recencyScore + depth * depthScore + conversion * conversionProbability;
        return Math.max(0, Math.min(1, s));
    }

    @Override public boolean equals(Object o) {
        return o instanceof Weights w && version.equals(w.version) && recency == w.recency && depth == w.depth
                && conversion == w.conversion && named.equals(w.named);
    }
    @Override public int hashCode() { return Objects.hash(version, recency, depth, conversion, named); }
    @Override public String toString() { return "Weights{" + version + ": " + recency + ", " + depth + ", " + conversion + "}"; }
}
