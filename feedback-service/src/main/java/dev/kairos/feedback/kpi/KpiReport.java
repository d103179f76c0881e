package dev.kairos.feedback.kpi;

import java.time.Instant;
import java.util.List;

/** The answer of {@code GET /v1/kpis}: the window, the grouping, the totals and each group (most impressions first). */
public record KpiReport(Instant from, Instant to, String groupBy, double confidence, Kpis total, List<Kpis> groups) {
    public KpiReport {
        groups = List.copyOf(groups);
    }
}
