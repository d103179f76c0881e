package dev.kairos.feedback.dashboard;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.Operation;
import dev.kairos.feedback.kpi.KpiReport;
import dev.kairos.feedback.kpi.KpiSeries;
import dev.kairos.feedback.kpi.KpiService;
import dev.kairos.feedback.kpi.Kpis;
import dev.kairos.feedback.kpi.Params;
import dev.kairos.feedback.store.GroupBy;
import dev.kairos.feedback.weights.Publication;
import dev.kairos.feedback.weights.WeightsStore;
import dev.kairos.feedback.weights.WeightsVersion;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Charts for the dashboard, rendered as SVG on the server (admin key, like the rest of {@code /v1}):
 * <ul>
 *   <li>{@code GET /v1/charts/ctr.svg?from=&to=&groupBy=&interval=}: CTR over time, one line per group (the 8 busiest)</li>
 *   <li>{@code GET /v1/charts/impressions.svg?from=&to=&groupBy=}: impressions per group (the 12 busiest), e.g. top rules</li>
 *   <li>{@code GET /v1/charts/weights.svg}: the weights in use after each publication</li>
 * </ul>
 * Parameters are validated like {@code /v1/kpis}'s. Thin: data from {@link KpiService} and {@link WeightsStore}.
 */
@Tag(name = "Dashboard", description = "Charts as SVG (docs/api.md#charts-v1chartssvg)")
@Controller("/v1/charts")
@ExecuteOn(TaskExecutors.BLOCKING)
public class ChartController {
    static final String SVG = "image/svg+xml";

    private final KpiService kpis;
    private final WeightsStore weights;

    public ChartController(KpiService kpis, WeightsStore weights) {
        this.kpis = kpis;
        this.weights = weights;
    }

    @Operation(summary = "Click-through rate per day, as SVG")
    @Get(uri = "/ctr.svg", produces = SVG)
    public HttpResponse<String> ctr(@Nullable @QueryValue String from, @Nullable @QueryValue String to,
                                    @Nullable @QueryValue String groupBy, @Nullable @QueryValue String interval) {
        Params.Window w = Params.window(from, to);
        GroupBy by = Params.groupBy(groupBy);
        KpiSeries series = kpis.series(w.from(), w.to(), by, Params.interval(interval, w));
        List<SvgCharts.Line> lines = new ArrayList<>();
        for (KpiSeries.Group g : series.groups()) {
            lines.add(new SvgCharts.Line(g.key(), g.points().stream().map(p -> new SvgCharts.Point(p.t(), p.ctr())).toList()));
        }
        return svg(SvgCharts.lines("CTR per " + series.interval() + " by " + by.param(), lines, w.from(), w.to(), true));
    }

    @Operation(summary = "Impressions per day, as SVG")
    @Get(uri = "/impressions.svg", produces = SVG)
    public HttpResponse<String> impressions(@Nullable @QueryValue String from, @Nullable @QueryValue String to,
                                            @Nullable @QueryValue String groupBy) {
        Params.Window w = Params.window(from, to);
        GroupBy by = Params.groupBy(groupBy);
        KpiReport report = kpis.report(w.from(), w.to(), by);
        List<SvgCharts.Bar> bars = new ArrayList<>();
        for (Kpis k : report.groups()) bars.add(new SvgCharts.Bar(k.key(), k.impressions()));
        return svg(SvgCharts.bars("Impressions by " + by.param(), bars));
    }

    @Operation(summary = "The weights over time, as SVG")
    @Get(uri = "/weights.svg", produces = SVG)
    public HttpResponse<String> weights() {
        List<Publication> publications = new ArrayList<>(weights.publications());
        java.util.Collections.reverse(publications);
        List<SvgCharts.Point> r = new ArrayList<>(), d = new ArrayList<>(), c = new ArrayList<>();
        for (Publication p : publications) {
            WeightsVersion v = weights.version(p.version()).orElse(WeightsVersion.PRIOR);
            r.add(new SvgCharts.Point(p.publishedAt(), v.recency()));
            d.add(new SvgCharts.Point(p.publishedAt(), v.depth()));
            c.add(new SvgCharts.Point(p.publishedAt(), v.conversion()));
        }
        String title = "Weights after each publication";
        if (publications.isEmpty()) {
            return svg(SvgCharts.message(title, "No weights published yet: the built-in default (0.4, 0.3, 0.3) is in use"));
        }
        Instant to = Instant.now();
        Instant from = publications.get(0).publishedAt().minus(Duration.ofHours(1));
        List<SvgCharts.Line> lines = List.of(new SvgCharts.Line("w1 recency", r), new SvgCharts.Line("w2 depth", d),
                new SvgCharts.Line("w3 conversion", c));
        return svg(SvgCharts.lines(title, lines, from, to, false));
    }

    private static HttpResponse<String> svg(String body) {
        return HttpResponse.ok(body).contentType(SVG).header("X-Content-Type-Options", "nosniff");
    }
}
