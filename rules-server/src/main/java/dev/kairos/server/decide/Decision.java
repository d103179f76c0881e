package dev.kairos.server.decide;

import dev.kairos.rules.engine.Evaluation;
import dev.kairos.rules.input.DecideRequest;

/** One answered decide request: its id, when it was made, the request, the evaluation and how it was routed. */
public record Decision(String decisionId, java.time.Instant decidedAt, DecideRequest request, Evaluation evaluation,
                       String weightsVersion, boolean canary) {}
