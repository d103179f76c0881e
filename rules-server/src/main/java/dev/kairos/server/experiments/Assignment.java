package dev.kairos.server.experiments;

import dev.kairos.rules.Variant;

import java.util.List;

/**
 * Where one user falls in one experiment: a variant, or the holdout ({@link #HOLDOUT}).
 *
 * @param experiment the experiment's name
 * @param variant    the variant's name, or {@code "holdout"}
 * @param fact       the {@link Variant} fact the rules see; {@code null} in the holdout
 */
public record Assignment(String experiment, String variant, Variant fact) {
    /** The variant name of users in an experiment's holdout (reserved: no variant may use it). */
    public static final String HOLDOUT = "holdout";

    /**
     * Whether the user is in this experiment's holdout: no {@link Variant} fact for it, and (see
     * {@code DecisionService}) the whole decision is answered with pack defaults only.
     */
    public boolean holdout() { return fact == null; }

    /** The facts to insert: the variant, none in the holdout. */
    public List<Variant> facts() { return fact == null ? List.of() : List.of(fact); }

    /**
     * The label in the decision log and the decide answer, {@code "experiment:variant"} (e.g.
     * {@code "high_intent_threshold:holdout"}); feedback-service groups and compares by it.
     */
    public String label() { return experiment + ":" + variant; }
}
