package dev.kairos.feedback.weights;

import java.time.Instant;

/**
 * Estimates, before they are published, what candidate weights would do: the engagement-rate change
 * of the rules in use if they had decided the logged traffic of {@code [from, to)} with the candidate.
 * Never throws: an estimate that cannot be made says why ({@link WeightsVersion.OffPolicy#unavailable}).
 */
@FunctionalInterface
public interface OffPolicyEstimator {
    WeightsVersion.OffPolicy estimate(WeightsVersion candidate, Instant from, Instant to);

    /** No estimate (e.g. a feedback service without a rules-server). */
    OffPolicyEstimator NONE = (candidate, from, to) -> WeightsVersion.OffPolicy.unavailable("no rules-server configured (KAIROS_RULES_SERVER_URL)");
}
