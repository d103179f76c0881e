package dev.kairos.feedback.experiment;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.Operation;
import dev.kairos.service.api.ApiException;
import dev.kairos.feedback.kpi.Params;
import dev.kairos.feedback.kpi.Rate;
import dev.kairos.feedback.store.DecisionRow;
import dev.kairos.feedback.store.FeedbackStore;
import dev.kairos.feedback.store.GroupBy;
import dev.kairos.feedback.store.GroupCounts;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /v1/experiments/results?control=exp:control&metric=ctr|conversion&minSamples=1000&from=&to=}
 * (admin key): every variant of the control's experiment seen in the decision log (its holdout
 * included) against the control variant, with a two-sided two-proportion z-test at {@code alpha}
 * 0.05, and no verdict before both samples reach {@code minSamples} impressions (default 1,000; at
 * least 100), so peeking early does not crown a winner. Several experiments run at once are read
 * together by repeating {@code control}, one per experiment: the answer has one entry per
 * experiment in {@code experiments}. Parameters are validated; {@code from}/{@code to} as for
 * {@code /v1/kpis}. Thin: the figures come from {@link FeedbackStore#counts} grouped by variant.
 */
@Tag(name = "Experiments", description = "Experiment results (docs/api.md#get-v1experimentsresults)")
@Controller("/v1/experiments")
@ExecuteOn(TaskExecutors.BLOCKING)
public class ExperimentController {
    static final double ALPHA = 0.05;

    private final FeedbackStore store;

    public ExperimentController(FeedbackStore store) {
        this.store = store;
    }

    @Operation(summary = "Results of an experiment, per variant, with intervals")
    @Get(uri = "/results", produces = MediaType.APPLICATION_JSON)
    public ExperimentResults results(@Nullable @QueryValue List<String> control, @Nullable @QueryValue String metric,
                                     @Nullable @QueryValue String minSamples, @Nullable @QueryValue String from,
                                     @Nullable @QueryValue String to) {
        List<String> controls = control == null ? List.of() : control.stream().filter(c -> c != null && !c.isBlank()).map(String::strip).toList();
        if (controls.isEmpty()) throw ApiException.badRequest("missing_field", "control (the control variant) is required", "control");
        Set<String> experiments = new HashSet<>();
        for (String c : controls) {
            if (!experiments.add(experimentOf(c))) {
                throw ApiException.badRequest("invalid_value", "one control per experiment; " + c + " repeats experiment '" + experimentOf(c) + "'", "control");
            }
        }
        String m = metric == null || metric.isBlank() ? "ctr" : metric.strip();
        if (!m.equals("ctr") && !m.equals("conversion")) throw ApiException.badRequest("invalid_value", "metric must be ctr or conversion", "metric");
        long min = 1000;
        if (minSamples != null && !minSamples.isBlank()) {
            try {
                min = Long.parseLong(minSamples.strip());
            } catch (NumberFormatException e) {
                min = -1;
            }
            if (min < 100) throw ApiException.badRequest("invalid_value", "minSamples must be a whole number of at least 100", "minSamples");
        }
        Params.Window w = Params.window(from, to);
        List<GroupCounts> groups = store.counts(w.from().toEpochMilli(), w.to().toEpochMilli(), GroupBy.VARIANT);
        List<ExperimentResults.Experiment> results = new ArrayList<>();
        for (String c : controls) results.add(compare(groups, c, m, min));
        return new ExperimentResults(w.from(), w.to(), m, min, ALPHA, results);
    }

    /** The variants of {@code control}'s experiment against it. */
    private static ExperimentResults.Experiment compare(List<GroupCounts> groups, String control, String m, long min) {
        String experiment = experimentOf(control);
        GroupCounts base = groups.stream().filter(g -> g.group().equals(control)).findFirst()
                .orElseThrow(() -> ApiException.badRequest("unknown_variant", "no outcomes for variant " + control + " in this window", "control"));
        List<ExperimentResults.Variant> variants = new ArrayList<>();
        for (GroupCounts g : groups) {
            if (g.group().equals(GroupBy.PENDING) || g.group().equals(GroupBy.NONE) || !experimentOf(g.group()).equals(experiment)) continue;
            long x = m.equals("ctr") ? g.clicks() : g.conversions();
            Rate rate = Rate.of(x, g.impressions());
            if (g == base) {
                variants.add(new ExperimentResults.Variant(g.group(), rate, null, null, null, "control"));
                continue;
            }
            long x0 = m.equals("ctr") ? base.clicks() : base.conversions();
            Rate r0 = Rate.of(x0, base.impressions());
            TwoProportionTest.Result t = TwoProportionTest.of(x0, base.impressions(), x, g.impressions());
            Double lift = r0.value() == null || r0.value() == 0 || rate.value() == null ? null : rate.value() / r0.value() - 1;
            String verdict;
            if (base.impressions() < min || g.impressions() < min) verdict = "too_few_samples";
            else if (Double.isNaN(t.p()) || t.p() >= ALPHA) verdict = "no_difference";
            else verdict = t.z() > 0 ? "better" : "worse";
            variants.add(new ExperimentResults.Variant(g.group(), rate, lift, Double.isNaN(t.z()) ? null : t.z(),
                    Double.isNaN(t.p()) ? null : t.p(), verdict));
        }
        return new ExperimentResults.Experiment(experiment, control, variants);
    }

    /**
     * The experiment of a variant label: before the first {@code ':'} (experiment names have none),
     * {@code ""} for a label logged without an experiment.
     */
    static String experimentOf(String label) {
        int colon = label.indexOf(':');
        return colon < 0 ? DecisionRow.NO_EXPERIMENT : label.substring(0, colon);
    }
}
