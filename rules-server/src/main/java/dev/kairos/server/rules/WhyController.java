package dev.kairos.server.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RuleExplainer;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.engine.RuleSource;
import dev.kairos.server.decide.DecisionService;
import dev.kairos.service.api.ApiException;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /v1/rules/why} (admin key): why a rule fired or not for a user, on the facts a
 * decide request for that user would be evaluated on now (stored signals included) and with the
 * rules version that would serve them (or the one named). Nothing is recorded: no decision, no
 * impression. Each explanation compiles the version once more with probe rules (cached for the
 * last few rules of the last two versions), so it costs a compile, not a decision.
 */
@Tag(name = "Rules", description = "Rule versions and routing: validate, upload, canary, promote, roll back (docs/api.md#rule-lifecycle)")
@Controller("/v1/rules")
@ExecuteOn(TaskExecutors.BLOCKING)
public class WhyController {
    private static final Set<String> FIELDS = Set.of("rule", "request", "version");
    private static final int MAX_RULE_NAME = 500;

    private final RuleRegistry registry;
    private final DecisionService decisions;
    private final RuleCompiler compiler;
    private final ObjectMapper json;
    private final Map<String, RuleExplainer> explainers = new LinkedHashMap<>(4, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<String, RuleExplainer> e) {
            if (size() <= 2) return false;
            e.getValue().close();
            return true;
        }
    };

    public WhyController(RuleRegistry registry, DecisionService decisions, RuleCompiler compiler, ObjectMapper json) {
        this.registry = registry;
        this.decisions = decisions;
        this.compiler = compiler;
        this.json = json;
    }

    @Operation(summary = "Why a rule fired or not for a decide request: the first condition that did not hold and the values the facts had")
    @Post(uri = "/why", consumes = MediaType.APPLICATION_JSON)
    public Map<String, Object> why(@Body byte[] body) throws IOException {
        if (body == null || body.length == 0) throw ApiException.badRequest("missing_body", "send {\"rule\": \"...\", \"request\": {decide request}}", null);
        JsonNode node = json.readTree(body);
        if (node == null || !node.isObject()) throw ApiException.badRequest("invalid_type", "the body must be a JSON object", null);
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) throw ApiException.badRequest("unknown_field", "unknown field '" + f + "'; the fields are rule, request and version", f);
        }
        JsonNode rule = node.get("rule");
        if (rule == null || !rule.isTextual() || rule.asText().isBlank()) {
            throw ApiException.badRequest("missing_field", "rule is required: the name of a rule", "rule");
        }
        if (rule.asText().length() > MAX_RULE_NAME) throw ApiException.badRequest("too_long", "rule must be at most " + MAX_RULE_NAME + " characters", "rule");
        JsonNode request = node.get("request");
        if (request == null || !request.isObject()) {
            throw ApiException.badRequest("missing_field", "request is required: the body of a decide request for the user", "request");
        }
        JsonNode version = node.get("version");
        if (version != null && !version.isNull() && !version.isTextual()) throw ApiException.badRequest("invalid_type", "version must be a version id such as v2", "version");

        DecisionService.Fused fused;
        try {
            fused = decisions.fuse(request).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw ApiException.unavailable("the user's stored signals could not be read; try again");
        } catch (TimeoutException e) {
            throw ApiException.unavailable("the user's stored signals could not be read in time; try again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted");
        }
        String id = version == null || version.isNull() ? fused.route().rules().version() : version.asText();
        RuleVersion v = registry.version(id).orElseThrow(() -> ApiException.notFound("no rules version '" + id + "'"));
        RuleExplainer explainer = explainer(v);
        RuleExplainer.Trace trace;
        try {
            trace = explainer.explain(fused.request().input(), fused.variants(), rule.asText());
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no rule named '" + rule.asText() + "' in version " + id);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", id);
        out.put("rule", trace.rule());
        out.put("fired", trace.fired());
        out.put("explanation", trace.describe());
        if (trace.failed() != null) {
            Map<String, Object> failed = new LinkedHashMap<>();
            failed.put("file", trace.failed().file());
            failed.put("line", trace.failed().line());
            failed.put("column", trace.failed().column());
            failed.put("element", trace.failed().element());
            failed.put("condition", trace.failed().condition());
            failed.put("values", trace.failed().values());
            out.put("failed", failed);
        }
        out.put("note", trace.note());
        if (fused.holdout()) out.put("holdout", true);
        return out;
    }

    private synchronized RuleExplainer explainer(RuleVersion v) {
        return explainers.computeIfAbsent(v.id() + "@" + v.sha256(), k -> {
            List<RuleSource> sources = new ArrayList<>();
            v.files().forEach((name, drl) -> sources.add(new RuleSource(name, drl)));
            return new RuleExplainer(compiler, new RulePack(sources));
        });
    }
}
