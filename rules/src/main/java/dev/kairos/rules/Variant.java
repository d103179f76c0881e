package dev.kairos.rules;

import java.util.Map;
import java.util.Objects;

/**
 * The A/B experiment variant the user was assigned to, inserted as a fact so rules can match it:
 *
 * <pre>Variant( experiment == "high_intent_threshold", name == "threshold_0_7" )
 *$v : Variant( experiment == "cta_copy" )
 *... cta($v.param("cta"))</pre>
 *
 * There is at most one per running experiment. Users in an experiment's holdout get no
 * {@code Variant} fact at all (and only pack defaults), so a rule matching a variant never fires
 * for them.
 */
public final class Variant {
    private final String experiment;
    private final String name;
    private final Map<String, String> params;

    /**
     * @param experiment the experiment's name
     * @param name       the variant's name within it
     * @param params     the variant's string parameters (copied), empty when none
     */
    public Variant(String experiment, String name, Map<String, String> params) {
        this.experiment = Objects.requireNonNull(experiment, "experiment");
        this.name = Objects.requireNonNull(name, "name");
        this.params = params == null ? Map.of() : Map.copyOf(params);
    }

    public String getExperiment() { return experiment; }
    public String getName() { return name; }
    public Map<String, String> getParams() { return params; }

    /** A parameter of this variant, {@code null} when it has none by that name. */
    public String param(String key) { return params.get(key); }

    @Override public boolean equals(Object o) {
        return o instanceof Variant v && experiment.equals(v.experiment) && name.equals(v.name) && params.equals(v.params);
    }
    @Override public int hashCode() { return Objects.hash(experiment, name, params); }
    @Override public String toString() { return "Variant{" + experiment + ":" + name + "}"; }
}
