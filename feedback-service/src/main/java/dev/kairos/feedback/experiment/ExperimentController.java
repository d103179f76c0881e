package dev.kairos.feedback.experiment;

import dev.kairos.feedback.api.ApiException;
import dev.kairos.feedback.kpi.Params;
import dev.kairos.feedback.kpi.Rate;
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
import java.util.List;

/**
 * {@code GET /v1/experiments/results?control=A&metric=ctr|conversion&minSamples=1000&from=&to=}
 * (admin key): every variant seen in the decision log against the control variant, with a
 * two-sided two-proportion z-test at {@code alpha} 0.05, and no verdict before both samples reach
 * {@code minSamples} impressions (default 1,000; at least 100), so peeking early does not crown a
 * winner. Parameters are validated; {@code from}/{@code to} as for {@code /v1/kpis}.
 */
@Controller("/v1/experiments")
@ExecuteOn(TaskExecutors.BLOCKING)
public class ExperimentController {
    static final double ALPHA = 0.05;

    private final FeedbackStore store;

    public ExperimentController(FeedbackStore store) {
        this.store = store;
    }

    @Get(uri = "/results", produces = MediaType.APPLICATION_JSON)
    public ExperimentResults results(@Nullable @QueryValue String control, @Nullable @QueryValue String metric,
                                     @Nullable @QueryValue String minSamples, @Nullable @QueryValue String from,
                                     @Nullable @QueryValue String to) {
        if (control == null || control.isBlank()) throw ApiException.badRequest("missing_field", "control (the control variant) is required", "control");
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
        GroupCounts base = groups.stream().filter(g -> g.group().equals(control.strip())).findFirst()
                .orElseThrow(() -> ApiException.badRequest("unknown_variant", "no outcomes for variant " + control.strip() + " in this window", "control"));
        List<ExperimentResults.Variant> variants = new ArrayList<>();
        for (GroupCounts g : groups) {
            if (g.group().equals(GroupBy.PENDING)) continue;
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
        return new ExperimentResults(w.from(), w.to(), m, control.strip(), min, ALPHA, variants);
    }
}
