package dev.kairos.feedback.weights;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Recalibration settings under {@code kairos.feedback.recalibration.*}.
 *
 * @param enabled        run on the schedule (the admin trigger always works); default {@code true}
 * @param cron           when to run: seconds minutes hours day-of-month month day-of-week; default
 *                       {@code 0 0 3 ? * MON} (Mondays 03:00, server time) ({@code KAIROS_RECALIBRATION_CRON})
 * @param days           how many days of outcomes to learn from; default 28
 * @param maxSamples     most shown placements to learn from (the most recent); default 10,000,000
 * @param holdoutPercent share of decisions (by a hash of the decision id) kept out of the fit to validate on; default 20
 * @param minSamples     fewest shown placements in the fit; default 200
 * @param minPositives   fewest engaged and fewest non-engaged placements in the held-out slice; default 20
 * @param lambda         L2 penalty of the logistic regression; default 0.01
 */
@ConfigurationProperties("kairos.feedback.recalibration")
public record RecalibrationConfig(@Bindable(defaultValue = "true") boolean enabled,
                                  @Bindable(defaultValue = "0 0 3 ? * MON") String cron,
                                  @Bindable(defaultValue = "28") int days,
                                  @Bindable(defaultValue = "10000000") int maxSamples,
                                  @Bindable(defaultValue = "20") int holdoutPercent,
                                  @Bindable(defaultValue = "200") int minSamples,
                                  @Bindable(defaultValue = "20") int minPositives,
                                  @Bindable(defaultValue = "0.01") double lambda) {}
