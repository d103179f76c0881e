package dev.kairos.server.decide;

import dev.kairos.rules.engine.Evaluation;
import dev.kairos.rules.input.DecideRequest;

/**
 * One answered decide request: its id, when it was made, the request, the evaluation, how it was
 * routed, and the user's place in the active experiment ({@code null} when none runs or the user
 * is not known).
 */
public record Decision(String decisionId, java.time.Instant decidedAt, DecideRequest request, Evaluation evaluation,
                       String weightsVersion, boolean canary, dev.kairos.server.experiments.Assignment experiment) {
    /** The experiment label {@code "experiment:variant"} for the answer and the log, {@code null} without one. */
    public String variant() { return experiment == null ? null : experiment.label(); }
}
