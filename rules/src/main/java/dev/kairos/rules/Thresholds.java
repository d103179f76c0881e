package dev.kairos.rules;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pack's named thresholds, declared once in the pack's {@code thresholds.yaml}
 * ({@code highIntent: 0.8}) instead of literals scattered in rules; one fact per decision.
 * An experiment varies them without touching the rules: a variant param
 * {@code threshold_highIntent = "0.7"} overrides the pack's value for the users in that variant.
 *
 * <pre>$t : Thresholds()
 *Signals( intentScore &gt; $t.get("highIntent") )</pre>
 *
 * A name the pack does not declare reads {@code NaN}, so every comparison with it is false (and
 * {@code ./kairos rules validate} warns about it).
 */
public final class Thresholds {
    /** Prefix of the experiment variant params that override a threshold. */
    public static final String VARIANT_PARAM_PREFIX = "threshold_";
    /** No thresholds. */
    public static final Thresholds NONE = new Thresholds(Map.of());

    private final Map<String, Double> values;

    public Thresholds(Map<String, Double> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /**
     * The pack's {@code declared} thresholds with the overrides of the user's experiment
     * {@code variants} ({@code threshold_<name>} params that parse as finite numbers, for names the
     * pack declares; others are ignored).
     */
    public static Thresholds of(Map<String, Double> declared, List<Variant> variants) {
        if (declared.isEmpty()) return NONE;
        if (variants.isEmpty()) return new Thresholds(declared);
        Map<String, Double> values = new TreeMap<>(declared);
        for (Variant v : variants) {
            for (Map.Entry<String, String> p : v.getParams().entrySet()) {
                if (!p.getKey().startsWith(VARIANT_PARAM_PREFIX)) continue;
                String name = p.getKey().substring(VARIANT_PARAM_PREFIX.length());
                if (!values.containsKey(name)) continue;
                try {
                    double d = Double.parseDouble(p.getValue().strip());
                    if (Double.isFinite(d)) values.put(name, d);
                } catch (NumberFormatException ignored) {
                    // not a number: the pack's value stands
                }
            }
        }
        return new Thresholds(values);
    }

    /** The threshold {@code name}, or {@code NaN} when the pack does not declare it. */
    public double get(String name) { return values.getOrDefault(name, Double.NaN); }

    /** True when the pack declares {@code name}. */
    public boolean has(String name) { return values.containsKey(name); }

    /** Every threshold by name. */
    public Map<String, Double> getValues() { return values; }

    @Override public boolean equals(Object o) { return o instanceof Thresholds t && values.equals(t.values); }
    @Override public int hashCode() { return values.hashCode(); }
    @Override public String toString() { return "Thresholds" + values; }
}
