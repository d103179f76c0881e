package dev.kairos.feedback.kpi;

import dev.kairos.feedback.store.FeedbackStore;
import dev.kairos.feedback.store.GroupBy;
import dev.kairos.feedback.store.GroupCounts;
import dev.kairos.feedback.store.IntentBin;
import dev.kairos.feedback.store.SeriesPoint;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes KPIs for outcomes that occurred in a window, per group and in total. Counts come from
 * the store's aggregations (the database does the heavy lifting); rates get Wilson intervals here.
 * The high-intent threshold for precision/recall is {@code kairos.feedback.high-intent-threshold}
 * (default 0.8, the default {@code highIntentThreshold} weight). Thread-safe.
 */
@Singleton
public class KpiService {
    private final FeedbackStore store;
    private final double threshold;

    public KpiService(FeedbackStore store, @Value("${kairos.feedback.high-intent-threshold:0.8}") double threshold) {
        this.store = store;
        this.threshold = threshold;
    }

    /** KPIs for outcomes in {@code [from, to)}, grouped by {@code by}. */
    public KpiReport report(Instant from, Instant to, GroupBy by) {
        long f = from.toEpochMilli(), t = to.toEpochMilli();
        Kpis total = kpis(store.counts(f, t, GroupBy.ALL).get(0), store.intentBins(f, t, GroupBy.ALL));
        Map<String, List<IntentBin>> bins = new HashMap<>();
        for (IntentBin b : store.intentBins(f, t, by)) bins.computeIfAbsent(b.group(), k -> new ArrayList<>()).add(b);
        List<Kpis> groups = new ArrayList<>();
        for (GroupCounts c : store.counts(f, t, by)) groups.add(kpis(c, bins.getOrDefault(c.group(), List.of())));
        return new KpiReport(from, to, by.param(), 0.95, total, groups);
    }

    /** KPIs per group and interval for outcomes in {@code [from, to)}; groups with the most impressions first. */
    public KpiSeries series(Instant from, Instant to, GroupBy by, java.time.Duration interval) {
        Map<String, List<KpiSeries.Point>> points = new java.util.LinkedHashMap<>();
        Map<String, Long> totals = new HashMap<>();
        for (SeriesPoint p : store.series(from.toEpochMilli(), to.toEpochMilli(), interval.toMillis(), by)) {
            points.computeIfAbsent(p.group(), k -> new ArrayList<>()).add(new KpiSeries.Point(Instant.ofEpochMilli(p.bucketStart()),
                    p.impressions(), p.clicks(), p.dismisses(), p.conversions(), p.impressions() == 0 ? null : (double) p.clicks() / p.impressions()));
            totals.merge(p.group(), p.impressions(), Long::sum);
        }
        List<KpiSeries.Group> groups = new ArrayList<>();
        points.forEach((k, v) -> groups.add(new KpiSeries.Group(k, totals.get(k), v)));
        groups.sort(java.util.Comparator.comparingLong(KpiSeries.Group::impressions).reversed().thenComparing(KpiSeries.Group::key));
        return new KpiSeries(from, to, by.param(), interval.toHours() >= 24 ? "day" : "hour", groups);
    }

    private Kpis kpis(GroupCounts c, List<IntentBin> bins) {
        long triggered = 0, friction = 0;
        for (IntentBin b : bins) {
            triggered += b.triggered();
            friction += b.friction();
        }
        return new Kpis(c.group(), c.impressions(), c.clicks(), c.dismisses(), c.conversions(),
                Rate.of(c.clicks(), c.impressions()), Rate.of(c.dismisses(), c.impressions()), Rate.of(c.conversions(), c.impressions()),
                Rate.of(Math.min(c.usersEngaged(), c.usersImpressed()), c.usersImpressed()), Rate.of(friction, triggered),
                IntentAccuracy.of(bins, threshold));
    }
}
