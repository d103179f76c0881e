package dev.kairos.feedback.kpi;

import dev.kairos.service.api.ApiException;
import dev.kairos.feedback.store.GroupBy;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Validation of the query parameters the KPI and chart endpoints share; each bad value is a 400
 * naming the parameter. {@code from}/{@code to}: ISO-8601 instants, default the last 7 days up to
 * now, at most {@value #MAX_DAYS} days apart. {@code groupBy}: default {@code rule}.
 * {@code interval}: {@code hour} or {@code day} (default), at most {@value #MAX_POINTS} buckets.
 */
public final class Params {
    static final int MAX_DAYS = 400;
    static final int MAX_POINTS = 2000;

    private Params() {}

    /** A validated {@code [from, to)} window. */
    public record Window(Instant from, Instant to) {}

    public static Window window(String from, String to) {
        Instant t = blank(to) ? Instant.now() : instant(to, "to");
        Instant f = blank(from) ? t.minus(Duration.ofDays(7)) : instant(from, "from");
        if (!f.isBefore(t)) throw ApiException.badRequest("invalid_range", "from must be before to", "from");
        if (Duration.between(f, t).compareTo(Duration.ofDays(MAX_DAYS)) > 0) {
            throw ApiException.badRequest("range_too_large", "from and to may be at most " + MAX_DAYS + " days apart", "from");
        }
        return new Window(f, t);
    }

    public static GroupBy groupBy(String groupBy) {
        if (blank(groupBy)) return GroupBy.RULE;
        return GroupBy.parse(groupBy.strip()).orElseThrow(() -> ApiException.badRequest("invalid_value", "groupBy must be one of "
                + Arrays.stream(GroupBy.values()).filter(g -> g != GroupBy.ALL).map(GroupBy::param).collect(Collectors.joining(", ")),
                "groupBy"));
    }

    /** The bucket length for {@code interval} within {@code window}. */
    public static Duration interval(String interval, Window window) {
        Duration d;
        if (blank(interval) || interval.strip().equals("day")) d = Duration.ofDays(1);
        else if (interval.strip().equals("hour")) d = Duration.ofHours(1);
        else throw ApiException.badRequest("invalid_value", "interval must be hour or day", "interval");
        if (Duration.between(window.from(), window.to()).toMillis() / d.toMillis() > MAX_POINTS) {
            throw ApiException.badRequest("too_many_points", "at most " + MAX_POINTS + " intervals per request: use day or a shorter window", "interval");
        }
        return d;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("2100-01-01T00:00:00Z");

    private static Instant instant(String value, String name) {
        Instant at;
        try {
            at = Instant.parse(value.strip());
        } catch (DateTimeException e) {
            throw ApiException.badRequest("invalid_value", name + " must be an ISO-8601 instant such as 2026-11-23T00:00:00Z", name);
        }
        if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
            throw ApiException.badRequest("out_of_range", name + " must be between 2000-01-01 and 2100-01-01", name);
        }
        return at;
    }
}
