package dev.kairos.feedback.kpi;

import dev.kairos.feedback.api.ApiException;
import dev.kairos.feedback.store.GroupBy;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * {@code GET /v1/kpis?from=&to=&groupBy=rule|variant|segment|placement} (admin key). {@code from} and
 * {@code to} are ISO-8601 instants (default: the last 7 days up to now; {@code to} exclusive; at most
 * {@value #MAX_DAYS} days apart); {@code groupBy} defaults to {@code rule}. Invalid parameters are 400s
 * naming the parameter. Thin: validates and delegates to {@link KpiService}; runs on the blocking
 * executor (JDBC).
 */
@Controller("/v1/kpis")
@ExecuteOn(TaskExecutors.BLOCKING)
public class KpiController {
    static final int MAX_DAYS = 400;

    private final KpiService service;

    public KpiController(KpiService service) {
        this.service = service;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    public KpiReport kpis(@Nullable @QueryValue String from, @Nullable @QueryValue String to, @Nullable @QueryValue String groupBy) {
        Window w = Window.parse(from, to, MAX_DAYS);
        GroupBy by = groupBy == null || groupBy.isBlank() ? GroupBy.RULE : GroupBy.parse(groupBy.strip()).orElseThrow(() ->
                ApiException.badRequest("invalid_value", "groupBy must be one of " + Arrays.stream(GroupBy.values())
                        .filter(g -> g != GroupBy.ALL).map(GroupBy::param).collect(Collectors.joining(", ")), "groupBy"));
        return service.report(w.from(), w.to(), by);
    }

    /** A validated {@code [from, to)} window. */
    record Window(Instant from, Instant to) {
        static Window parse(String from, String to, int maxDays) {
            Instant t = to == null || to.isBlank() ? Instant.now() : instant(to, "to");
            Instant f = from == null || from.isBlank() ? t.minus(Duration.ofDays(7)) : instant(from, "from");
            if (!f.isBefore(t)) throw ApiException.badRequest("invalid_range", "from must be before to", "from");
            if (Duration.between(f, t).compareTo(Duration.ofDays(maxDays)) > 0) {
                throw ApiException.badRequest("range_too_large", "from and to may be at most " + maxDays + " days apart", "from");
            }
            return new Window(f, t);
        }

        private static Instant instant(String value, String name) {
            try {
                return Instant.parse(value.strip());
            } catch (DateTimeException e) {
                throw ApiException.badRequest("invalid_value", name + " must be an ISO-8601 instant such as 2026-11-23T00:00:00Z", name);
            }
        }
    }
}
