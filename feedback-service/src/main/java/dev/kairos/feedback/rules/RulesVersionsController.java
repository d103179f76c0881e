package dev.kairos.feedback.rules;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.Operation;
import dev.kairos.feedback.kpi.Params;
import dev.kairos.feedback.store.FeedbackStore;
import dev.kairos.feedback.store.RulesVersionDay;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import dev.kairos.service.api.ApiException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.PathVariable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/rules-versions?from=&to=} (admin key or marketer account): the rules versions that
 * took decisions in the window, from the decision log's {@code rulesVersion} and {@code canary}
 * fields. {@code days}: decisions per UTC day, version and canary flag; {@code versions}: one line
 * per version with its totals, first and last day, and whether it was serving canary traffic on
 * the last day it was seen. {@code from}/{@code to} as for {@code /v1/kpis}.
 */
@Tag(name = "Rules", description = "Rules versions as the dashboard shows them (docs/api.md#get-v1rules-versions)")
@Controller("/v1/rules-versions")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RulesVersionsController {
    private final FeedbackStore store;
    private final RulesServerClient rulesServer;

    public RulesVersionsController(FeedbackStore store, RulesServerClient rulesServer) {
        this.store = store;
        this.rulesServer = rulesServer;
    }

    /** The answer of {@code GET /v1/rules-versions}. */
    public record Report(Instant from, Instant to, List<Day> days, List<Version> versions) {}

    /** Decisions of one version on one UTC day ({@code yyyy-mm-dd}), canary or stable. */
    public record Day(String day, String rulesVersion, boolean canary, long decisions) {}

    /**
     * One rules version over the window; {@code canary}: it served canary traffic on {@code lastDay};
     * {@code status}: what it is now, exactly as rules-server has it ({@code active}, {@code canary},
     * {@code previous}, {@code inactive}), or {@code unknown} when rules-server cannot be asked.
     * Versions rules-server holds that took no decision in the window are listed too (0 decisions,
     * no days).
     */
    public record Version(String rulesVersion, long decisions, long canaryDecisions, String firstDay, String lastDay,
                          boolean canary, String status) {}

    @Operation(summary = "The rules versions and what each did")
    @Get(produces = MediaType.APPLICATION_JSON)
    public Report versions(@Nullable @QueryValue String from, @Nullable @QueryValue String to) {
        Params.Window w = Params.window(from, to);
        List<RulesVersionDay> rows = store.rulesVersionsPerDay(w.from().toEpochMilli(), w.to().toEpochMilli());
        List<Day> days = new ArrayList<>();
        Map<String, long[]> totals = new LinkedHashMap<>(); // decisions, canary decisions, first day, last day, canary on last day
        for (RulesVersionDay r : rows) {
            days.add(new Day(day(r.day()), r.rulesVersion(), r.canary(), r.decisions()));
            long[] t = totals.computeIfAbsent(r.rulesVersion(), k -> new long[] {0, 0, r.day(), r.day(), 0});
            t[0] += r.decisions();
            if (r.canary()) t[1] += r.decisions();
            if (r.day() > t[3]) {
                t[3] = r.day();
                t[4] = 0;
            }
            if (r.canary() && r.day() == t[3]) t[4] = 1;
        }
        Map<String, String> statuses = rulesServer.configured() ? rulesServer.knownRules().statuses() : Map.of();
        List<Version> versions = new ArrayList<>();
        totals.forEach((v, t) -> versions.add(new Version(v, t[0], t[1], day(t[2]), day(t[3]), t[4] == 1, statuses.getOrDefault(v, "unknown"))));
        versions.sort((a, b) -> b.lastDay().compareTo(a.lastDay()) != 0 ? b.lastDay().compareTo(a.lastDay()) : a.rulesVersion().compareTo(b.rulesVersion()));
        statuses.forEach((id, status) -> {
            if (!totals.containsKey(id)) versions.add(new Version(id, 0, 0, null, null, false, status));
        });
        return new Report(w.from(), w.to(), days, versions);
    }

    @Operation(summary = "One rules version with its files (the pack text), from rules-server")
    @Get(uri = "/{id}/files", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<String> files(@PathVariable String id) {
        if (!VERSION_ID.matcher(id).matches()) throw ApiException.badRequest("invalid_value", "a version id such as v2", "id");
        return relay(rulesServer.forward("/v1/rules/versions/" + id, null));
    }

    @Operation(summary = "What changed between two versions (unified diff per file), from rules-server")
    @Get(uri = "/diff", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<String> diff(@QueryValue String from, @QueryValue String to) {
        for (String id : new String[] {from, to}) {
            if (!VERSION_ID.matcher(id).matches()) throw ApiException.badRequest("invalid_value", "a version id such as v2", "from");
        }
        return relay(rulesServer.forward("/v1/rules/diff?from=" + from + "&to=" + to, null));
    }

    @Operation(summary = "Replay a version on recorded decisions (admin key; forwarded to rules-server)")
    @io.micronaut.http.annotation.Post(uri = "/{id}/replay", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<String> replay(@PathVariable String id, @io.micronaut.core.annotation.Nullable @io.micronaut.http.annotation.Body String body) {
        if (!VERSION_ID.matcher(id).matches()) throw ApiException.badRequest("invalid_value", "a version id such as v2", "id");
        return relay(rulesServer.forward("/v1/rules/versions/" + id + "/replay", body == null || body.isBlank() ? "{}" : body,
                java.time.Duration.ofMinutes(5)));
    }

    /** rules-server's answer as it is (status and JSON body). */
    static HttpResponse<String> relay(RulesServerClient.Forwarded f) {
        return HttpResponse.<String>status(HttpStatus.valueOf(f.status())).contentType(MediaType.APPLICATION_JSON_TYPE).body(f.body());
    }

    static final java.util.regex.Pattern VERSION_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private static String day(long epochMillis) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC).toString();
    }
}
