package dev.kairos.feedback.experiment;

import dev.kairos.feedback.kpi.Rate;

import java.time.Instant;
import java.util.List;

/**
 * The answer of {@code GET /v1/experiments/results}: per experiment (one per {@code control}
 * asked for, in that order), each variant's rate of the chosen metric (with its Wilson interval)
 * and its test against the control. {@code verdict} is {@code control} for the control itself,
 * {@code too_few_samples} while either sample is below {@code minSamples}, {@code better} or
 * {@code worse} when {@code p < alpha}, else {@code no_difference}.
 *
 * <p>{@code control} and {@code variants} repeat the first experiment's, for clients written when
 * one experiment ran at a time.
 */
public record ExperimentResults(Instant from, Instant to, String metric, String control, long minSamples, double alpha,
                                List<Variant> variants, List<Experiment> experiments) {
    public ExperimentResults {
        variants = List.copyOf(variants);
        experiments = List.copyOf(experiments);
    }

    ExperimentResults(Instant from, Instant to, String metric, long minSamples, double alpha, List<Experiment> experiments) {
        this(from, to, metric, experiments.get(0).control(), minSamples, alpha, experiments.get(0).variants(), experiments);
    }

    /**
     * One experiment's variants against its control.
     *
     * @param experiment the experiment's name ({@code ""} for variants logged without one)
     * @param control    the control variant, as logged ({@code "experiment:variant"})
     * @param variants   every variant of the experiment in the window, the control and the holdout included
     */
    public record Experiment(String experiment, String control, List<Variant> variants) {
        public Experiment {
            variants = List.copyOf(variants);
        }
    }

    /** One variant's figures; {@code z} and {@code p} are {@code null} for the control or when untestable. */
    public record Variant(String variant, Rate rate, Double lift, Double z, Double p, String verdict) {}
}
