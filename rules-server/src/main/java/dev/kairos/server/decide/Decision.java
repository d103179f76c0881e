package dev.kairos.server.decide;

import dev.kairos.rules.engine.Evaluation;
import dev.kairos.rules.input.DecideRequest;
import dev.kairos.server.experiments.Assignment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One answered decide request: its id, when it was made, the request, the evaluation, how it was
 * routed, and the user's place in each active experiment ({@code experiments}, ordered by
 * experiment name; empty when none runs or the user is not known), and where the user's stored
 * signals came from ({@code signals}: null when read as usual, {@code "standby"} from a standby
 * replica, {@code "unavailable"} when no copy could be reached and the request stood alone).
 * {@code background}: not an answer to anyone but an evaluation of an idle user for the triggers
 * it emits ({@link BackgroundTriggers}); logged only for its triggers. {@code latencyMicros}: how
 * long the server took from reading the request to the answer (−1 when not measured), for the
 * canary guardrails.
 */
public record Decision(String decisionId, java.time.Instant decidedAt, DecideRequest request, Evaluation evaluation,
                       String weightsVersion, boolean canary, List<Assignment> experiments, String signals, boolean background,
                       long latencyMicros) {
    public Decision {
        experiments = experiments == null ? List.of() : List.copyOf(experiments);
    }

    /** A decision answered to a decide request. */
    public Decision(String decisionId, java.time.Instant decidedAt, DecideRequest request, Evaluation evaluation,
                    String weightsVersion, boolean canary, List<Assignment> experiments, String signals) {
        this(decisionId, decidedAt, request, evaluation, weightsVersion, canary, experiments, signals, false, -1);
    }

    /** A decision whose stored signals were read as usual. */
    public Decision(String decisionId, java.time.Instant decidedAt, DecideRequest request, Evaluation evaluation,
                    String weightsVersion, boolean canary, List<Assignment> experiments) {
        this(decisionId, decidedAt, request, evaluation, weightsVersion, canary, experiments, null);
    }

    /**
     * The single-experiment label kept for clients of one experiment at a time:
     * {@code "experiment:variant"} of the user's first experiment by name, {@code null} without one.
     * {@link #variants()} has them all.
     */
    public String variant() { return experiments.isEmpty() ? null : experiments.get(0).label(); }

    /** Experiment name to variant name ({@code "holdout"} for its holdout), by experiment name. */
    public Map<String, String> variants() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Assignment a : experiments) out.put(a.experiment(), a.variant());
        return out;
    }
}
