package dev.kairos.feedback.experiment;

import dev.kairos.feedback.kpi.Rate;

import java.time.Instant;
import java.util.List;

/**
 * The answer of {@code GET /v1/experiments/results}: each variant's rate of the chosen metric
 * (with its Wilson interval) and its test against the control. {@code verdict} is
 * {@code control} for the control itself, {@code too_few_samples} while either sample is below
 * {@code minSamples}, {@code better} or {@code worse} when {@code p < alpha}, else {@code no_difference}.
 */
public record ExperimentResults(Instant from, Instant to, String metric, String control, long minSamples, double alpha,
                                List<Variant> variants) {
    public ExperimentResults {
        variants = List.copyOf(variants);
    }

    /** One variant's figures; {@code z} and {@code p} are {@code null} for the control or when untestable. */
    public record Variant(String variant, Rate rate, Double lift, Double z, Double p, String verdict) {}
}
