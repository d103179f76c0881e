package dev.kairos.feedback.rules;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.Operation;
import dev.kairos.service.api.ApiException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import java.util.Map;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * {@code GET /v1/rules-routing} (admin key or marketer account): which rules versions serve now and
 * the log of routing changes, exactly as rules-server has them (see {@link RulesServerClient}),
 * including the automatic roll backs of its circuit breaker with their reason. When rules-server is
 * not configured or not reachable the answer is still 200, with {@code available: false} and the
 * {@code reason}.
 */
@Tag(name = "Rules", description = "What serves now (docs/api.md#get-v1rules-routing)")
@Controller("/v1/rules-routing")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RoutingController {
    private final RulesServerClient rulesServer;
    private final dev.kairos.feedback.store.FeedbackStore store;
    private final dev.kairos.feedback.guardrail.GuardrailMonitor guardrailMonitor;

    public RoutingController(RulesServerClient rulesServer, dev.kairos.feedback.store.FeedbackStore store,
                             dev.kairos.feedback.guardrail.GuardrailMonitor guardrailMonitor) {
        this.rulesServer = rulesServer;
        this.store = store;
        this.guardrailMonitor = guardrailMonitor;
    }

    /** The answer: {@code routing} is null when {@code available} is false. */
    public record Report(boolean available, String reason, RulesServerClient.Routing routing) {}

    @Operation(summary = "What serves now, and the circuit breaker's roll backs")
    @Get(produces = MediaType.APPLICATION_JSON)
    public Report routing() {
        RulesServerClient.KnownRules known = rulesServer.knownRules();
        return new Report(known.available(), known.reason(), known.routing());
    }

    /**
     * The canary controls (admin key only; marketer accounts are read-only), forwarded to
     * rules-server: {@code canary} starts a canary of {@code version} for {@code percent} % of users
     * or changes the percentage of the running one, {@code promote} makes the canary active,
     * {@code rollback} ends the canary (or goes back to the previous active version). With
     * {@code expectedRevision} (the {@code revision} the page showed) a change made meanwhile by
     * someone else is refused with 409 instead of being overwritten.
     */
    @Operation(summary = "Canary controls: start or change a canary, promote, roll back (forwarded to rules-server)")
    @Post(uri = "/{action}", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<String> change(@PathVariable String action, @Body Map<String, Object> body) {
        for (String field : body.keySet()) {
            if (!java.util.Set.of("version", "percent", "expectedRevision", "guardrails").contains(field)) {
                throw ApiException.badRequest("unknown_field", "unknown field '" + field + "'; the fields are version, percent, expectedRevision and guardrails", field);
            }
        }
        Object revision = body.get("expectedRevision");
        if (revision != null && !(revision instanceof Number n && n.longValue() >= 0 && n.doubleValue() == n.longValue())) {
            throw ApiException.badRequest("invalid_type", "expectedRevision must be a whole number >= 0", "expectedRevision");
        }
        String cas = revision == null ? "" : "\"expectedRevision\": " + ((Number) revision).longValue();
        switch (action) {
            case "canary" -> {
                Object version = body.get("version");
                Object percent = body.get("percent");
                if (!(version instanceof String v) || !RulesVersionsController.VERSION_ID.matcher(v).matches()) {
                    throw ApiException.badRequest("missing_field", "version is required: the id of the version to canary, such as v2", "version");
                }
                if (!(percent instanceof Number p) || !(p.doubleValue() > 0 && p.doubleValue() < 100)) {
                    throw ApiException.badRequest("out_of_range", "percent must be more than 0 and less than 100 (promote to serve everyone)", "percent");
                }
                String settings = guardrails(body.get("guardrails"));
                String json = "{\"canaryPercent\": " + ((Number) percent).doubleValue() + (cas.isEmpty() ? "" : ", " + cas) + "}";
                RulesServerClient.Forwarded answer = rulesServer.forward("/v1/rules/versions/" + v + "/activate", json);
                if (answer.status() == 200 && settings != null) store.saveGuardrailSettings(v, settings, System.currentTimeMillis());
                return RulesVersionsController.relay(answer);
            }
            case "promote", "rollback" -> {
                return RulesVersionsController.relay(rulesServer.forward("/v1/rules/" + action, "{" + cas + "}"));
            }
            default -> throw ApiException.notFound("no routing action '" + action + "'; use canary, promote or rollback");
        }
    }

    /**
     * The canary's guardrails as chosen, validated, as JSON to store: {@code {"metrics": [...],
     * "minShown": n}} (metrics of {@link dev.kairos.feedback.guardrail.GuardrailMonitor#METRICS},
     * at least one; minShown 20-1000000, default the configured one); null when not given.
     */
    private String guardrails(Object value) {
        if (value == null) return null;
        if (!(value instanceof Map<?, ?> m)) throw ApiException.badRequest("invalid_type", "guardrails must be an object {metrics, minShown}", "guardrails");
        for (Object k : m.keySet()) {
            if (!"metrics".equals(k) && !"minShown".equals(k)) {
                throw ApiException.badRequest("unknown_field", "unknown field 'guardrails." + k + "'; the fields are metrics and minShown", "guardrails." + k);
            }
        }
        java.util.List<String> known = dev.kairos.feedback.guardrail.GuardrailMonitor.METRICS;
        Object metrics = m.get("metrics");
        java.util.List<String> chosen = new java.util.ArrayList<>();
        if (metrics == null) chosen.addAll(known);
        else if (metrics instanceof java.util.List<?> list && !list.isEmpty()) {
            for (Object x : list) {
                if (!(x instanceof String name) || !known.contains(name)) {
                    throw ApiException.badRequest("invalid_value", "guardrails.metrics holds names of " + known, "guardrails.metrics");
                }
                if (!chosen.contains(name)) chosen.add(name);
            }
        } else {
            throw ApiException.badRequest("invalid_value", "guardrails.metrics must be a non-empty list of " + known, "guardrails.metrics");
        }
        Object min = m.get("minShown");
        long minShown = guardrailMonitor.defaults().minShown();
        if (min != null) {
            if (!(min instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() < 20 || n.longValue() > 1_000_000) {
                throw ApiException.badRequest("out_of_range", "guardrails.minShown must be a whole number from 20 to 1000000", "guardrails.minShown");
            }
            minShown = n.longValue();
        }
        try {
            Map<String, Object> settings = new java.util.LinkedHashMap<>();
            settings.put("metrics", chosen);
            settings.put("minShown", minShown);
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(settings);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
