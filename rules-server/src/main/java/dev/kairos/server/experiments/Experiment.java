package dev.kairos.server.experiments;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One A/B experiment as defined by the admin and shared by every instance through the experiments
 * topic (see {@link ExperimentService}). Several may be active at once.
 *
 * @param name        the experiment's name ({@code [a-z][a-z0-9_]{0,31}})
 * @param description free text, may be {@code null}
 * @param variants    two or more variants with positive integer weights (relative shares)
 * @param holdout     percent of users (0..50) carved out first; they get only pack defaults
 * @param active      whether users are being assigned
 * @param params      per variant name, optional string parameters the rules can read
 * @param updatedAt   when it was last written
 */
public record Experiment(String name, String description, List<VariantSpec> variants, int holdout, boolean active,
                         Map<String, Map<String, String>> params, Instant updatedAt) {
    /** One variant and its weight. */
    public record VariantSpec(String name, int weight) {}

    /**
     * Checks the invariants assignment relies on (the API validates earlier, with field-level
     * errors); a record on the topic that breaks them is skipped, and an old experiment file that
     * breaks them stops the server at start, instead of failing decisions.
     */
    public Experiment {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("experiment name must not be blank");
        if (variants == null || variants.size() < 2) throw new IllegalArgumentException("experiment " + name + " needs at least 2 variants");
        for (VariantSpec v : variants) {
            if (v.name() == null || v.weight() < 1 || v.weight() > 10_000) {
                throw new IllegalArgumentException("experiment " + name + ": variant weights must be 1..10000, was " + v);
            }
        }
        if (holdout < 0 || holdout > 50) throw new IllegalArgumentException("experiment " + name + ": holdout must be 0..50, was " + holdout);
        if (updatedAt == null) updatedAt = Instant.EPOCH;
        variants = List.copyOf(variants);
        params = params == null ? Map.of() : Map.copyOf(params);
    }

    /** The sum of the variants' weights. */
    public int totalWeight() {
        int t = 0;
        for (VariantSpec v : variants) t += v.weight();
        return t;
    }
}
