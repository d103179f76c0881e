package dev.kairos.feedback.rules;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.Operation;
import dev.kairos.feedback.kpi.Params;
import dev.kairos.feedback.store.FeedbackStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/rule-activity?from=&to=} (admin key or marketer account): every rule of the rules
 * versions rules-server serves now (see {@link RulesServerClient}), with how many decisions in the
 * window it matched and how many placements it won; {@code silent} marks rules that did neither.
 * Silent rules first, then by placements won (fewest first). When rules-server is not configured or not reachable
 * the answer is still 200, with {@code available: false}, the {@code reason} and no rules: the
 * decision log alone cannot tell which rules exist but never fire.
 */
@Tag(name = "Rules", description = "Rule activity (docs/api.md#get-v1rule-activity)")
@Controller("/v1/rule-activity")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RuleActivityController {
    private final FeedbackStore store;
    private final RulesServerClient rulesServer;

    public RuleActivityController(FeedbackStore store, RulesServerClient rulesServer) {
        this.store = store;
        this.rulesServer = rulesServer;
    }

    /** The answer of {@code GET /v1/rule-activity}. */
    public record Report(Instant from, Instant to, boolean available, String reason, Map<String, String> versions,
                         List<Rule> rules) {}

    /**
     * One known rule: the serving versions that hold it, decisions matched and placements won in the
     * window, and the same split per rules version that decided ({@code perVersion}, only versions
     * with activity; the rule may have been in other versions before).
     */
    public record Rule(String rule, List<String> versions, long matched, long won, boolean silent, List<PerVersion> perVersion) {}

    /** A rule's activity under one rules version. */
    public record PerVersion(String version, long matched, long won) {}

    @Operation(summary = "Which rules fire, and which never do")
    @Get(produces = MediaType.APPLICATION_JSON)
    public Report activity(@Nullable @QueryValue String from, @Nullable @QueryValue String to) {
        Params.Window w = Params.window(from, to);
        RulesServerClient.KnownRules known = rulesServer.knownRules();
        long f = w.from().toEpochMilli(), t = w.to().toEpochMilli();
        Map<String, Map<String, Long>> wins = known.rules().isEmpty() ? Map.of() : store.winsPerRuleAndVersion(f, t);
        List<Rule> rules = new ArrayList<>();
        known.rules().forEach((name, versions) -> {
            Map<String, Long> wonPer = wins.getOrDefault(name, Map.of());
            Map<String, Long> matchedPer = store.decisionsMatchingPerVersion(name, f, t);
            java.util.TreeSet<String> active = new java.util.TreeSet<>(wonPer.keySet());
            active.addAll(matchedPer.keySet());
            List<PerVersion> per = new ArrayList<>();
            for (String v : active) per.add(new PerVersion(v, matchedPer.getOrDefault(v, 0L), wonPer.getOrDefault(v, 0L)));
            long won = per.stream().mapToLong(PerVersion::won).sum();
            long matched = per.stream().mapToLong(PerVersion::matched).sum();
            rules.add(new Rule(name, versions, matched, won, matched == 0 && won == 0, per));
        });
        rules.sort(Comparator.comparing((Rule r) -> !r.silent()).thenComparing(Rule::won).thenComparing(Rule::rule));
        return new Report(w.from(), w.to(), known.available(), known.reason(), known.versions(), rules);
    }
}
