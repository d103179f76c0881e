package dev.kairos.feedback.kpi;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.Operation;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * {@code GET /v1/kpis?from=&to=&groupBy=rule|variant|segment|placement} and
 * {@code GET /v1/kpis/series?from=&to=&groupBy=&interval=hour|day} (admin key); parameters as in
 * {@link Params}. Thin: validates and delegates to {@link KpiService}; runs on the blocking executor (JDBC).
 */
@Tag(name = "KPIs", description = "What works: rates with intervals (docs/api.md#get-v1kpis)")
@Controller("/v1/kpis")
@ExecuteOn(TaskExecutors.BLOCKING)
public class KpiController {
    private final KpiService service;

    public KpiController(KpiService service) {
        this.service = service;
    }

    @Operation(summary = "KPIs per rule, variant, segment or placement, with Wilson intervals")
    @Get(produces = MediaType.APPLICATION_JSON)
    public KpiReport kpis(@Nullable @QueryValue String from, @Nullable @QueryValue String to, @Nullable @QueryValue String groupBy) {
        Params.Window w = Params.window(from, to);
        return service.report(w.from(), w.to(), Params.groupBy(groupBy));
    }

    @Operation(summary = "KPIs per day")
    @Get(uri = "/series", produces = MediaType.APPLICATION_JSON)
    public KpiSeries series(@Nullable @QueryValue String from, @Nullable @QueryValue String to, @Nullable @QueryValue String groupBy,
                            @Nullable @QueryValue String interval) {
        Params.Window w = Params.window(from, to);
        return service.series(w.from(), w.to(), Params.groupBy(groupBy), Params.interval(interval, w));
    }
}
