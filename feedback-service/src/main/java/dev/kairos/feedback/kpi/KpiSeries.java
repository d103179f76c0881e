package dev.kairos.feedback.kpi;

import java.time.Instant;
import java.util.List;

/** KPIs over time: per group, one point per interval that had outcomes. */
public record KpiSeries(Instant from, Instant to, String groupBy, String interval, List<Group> groups) {
    public KpiSeries {
        groups = List.copyOf(groups);
    }

    /** One group's points, in time order; {@code impressions} is the group's total in the window. */
    public record Group(String key, long impressions, List<Point> points) {
        public Group {
            points = List.copyOf(points);
        }
    }

    /** One interval starting at {@code t}; {@code ctr} is {@code null} without impressions. */
    public record Point(Instant t, long impressions, long clicks, long dismisses, long conversions, Double ctr) {}
}
