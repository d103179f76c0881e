package dev.kairos.server.rules;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.Operation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.engine.CompileResult;
import dev.kairos.rules.engine.PackDiff;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.service.api.ApiException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Rule lifecycle over HTTP (admin key): validate, upload a version, list, activate (optionally as
 * a canary), promote, roll back. A pack is sent either as one DRL file ({@code text/plain}) or as
 * JSON {@code {"description": "...", "files": {"offers.drl": "..."}}}.
 */
@Tag(name = "Rules", description = "Rule versions and routing: validate, upload, canary, promote, roll back (docs/api.md#rule-lifecycle)")
@Controller("/v1/rules")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RulesController {
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,96}\\.drl");
    private static final int MAX_FILES = 200;
    private static final int MAX_DESCRIPTION = 1000;

    private final RuleRegistry registry;
    private final ObjectMapper json;

    public RulesController(RuleRegistry registry, ObjectMapper json) {
        this.registry = registry;
        this.json = json;
    }

    @Operation(summary = "Compile a pack without storing it")
    @Post(uri = "/validate", consumes = {MediaType.TEXT_PLAIN, MediaType.APPLICATION_JSON})
    public Map<String, Object> validate(HttpRequest<?> request, @Body byte[] body, @Nullable @QueryValue String name) throws IOException {
        Pack pack = pack(request, body, name);
        CompileResult result = registry.validate(pack.files);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("valid", result.problems().isEmpty());
        out.put("rules", result.ruleNames());
        out.put("problems", result.problems().stream().map(RuleRegistry::problemJson).toList());
        out.put("warnings", result.warnings().stream().map(RuleRegistry::problemJson).toList());
        return out;
    }

    @Operation(summary = "Upload a pack as a new rules version")
    @Post(uri = "/versions", consumes = {MediaType.TEXT_PLAIN, MediaType.APPLICATION_JSON})
    public HttpResponse<Map<String, Object>> upload(HttpRequest<?> request, @Body byte[] body, @Nullable @QueryValue String name,
                                                    @Nullable @QueryValue String description) throws IOException {
        Pack pack = pack(request, body, name);
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw ApiException.badRequest("too_long", "description must be at most " + MAX_DESCRIPTION + " characters", "description");
        }
        RuleRegistry.Uploaded uploaded = registry.upload(pack.files, pack.description != null ? pack.description : description);
        RuleVersion v = uploaded.version();
        Map<String, Object> out = summary(v, registry.state());
        out.put("warnings", uploaded.warnings().stream().map(RuleRegistry::problemJson).toList());
        return HttpResponse.created(out).header(HttpHeaders.LOCATION, "/v1/rules/versions/" + v.id());
    }

    @Operation(summary = "List the rules versions and the routing state")
    @Get("/versions")
    public Map<String, Object> list() {
        RoutingState state = registry.state();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("versions", registry.versions().stream().map(v -> summary(v, state)).toList());
        out.put("state", state);
        return out;
    }

    @Operation(summary = "One rules version with its files")
    @Get("/versions/{id}")
    public Map<String, Object> get(@PathVariable String id) {
        RuleVersion v = registry.version(id).orElseThrow(() -> ApiException.notFound("no rules version '" + id + "'"));
        Map<String, Object> out = summary(v, registry.state());
        out.put("files", v.files());
        return out;
    }

    @Operation(summary = "What changed between two versions: a unified diff per changed file")
    @Get("/diff")
    public Map<String, Object> diff(@QueryValue String from, @QueryValue String to) {
        RuleVersion a = registry.version(from).orElseThrow(() -> ApiException.notFound("no rules version '" + from + "'"));
        RuleVersion b = registry.version(to).orElseThrow(() -> ApiException.notFound("no rules version '" + to + "'"));
        List<Map<String, Object>> files = new java.util.ArrayList<>();
        for (PackDiff.FileDiff d : PackDiff.between(a.id(), a.files(), b.id(), b.files())) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("file", d.file());
            f.put("diff", String.join("\n", d.lines()));
            files.add(f);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("from", a.id());
        out.put("to", b.id());
        out.put("changed", files.size());
        out.put("files", files);
        return out;
    }

    @Operation(summary = "Activate a version, or start it as a canary (canaryPercent); expectedRevision for compare-and-set")
    @Post(uri = "/versions/{id}/activate", consumes = MediaType.APPLICATION_JSON)
    public RoutingState activate(@PathVariable String id, @Nullable @Body byte[] body, @Nullable @QueryValue Double canaryPercent) throws IOException {
        Double percent = canaryPercent;
        JsonNode node = body == null || body.length == 0 ? null : json.readTree(body);
        if (node != null && !node.isObject()) throw ApiException.badRequest("invalid_type", "the body must be a JSON object", null);
        if (node != null && node.has("canaryPercent") && !node.get("canaryPercent").isNull()) {
            if (!node.get("canaryPercent").isNumber()) {
                throw ApiException.badRequest("invalid_type", "canaryPercent must be a number between 0 and 100", "canaryPercent");
            }
            percent = node.get("canaryPercent").asDouble();
        }
        if (percent != null && (percent < RuleRegistry.MIN_CANARY_PERCENT || percent > 100 || percent.isNaN())) {
            throw ApiException.badRequest("out_of_range", "canaryPercent must be between 0.01 and 100", "canaryPercent");
        }
        return registry.activate(id, percent, expectedRevision(node));
    }

    @Operation(summary = "Make the canary the active version")
    @Post(uri = "/promote", consumes = MediaType.APPLICATION_JSON)
    public RoutingState promote(@Nullable @Body byte[] body) throws IOException {
        return registry.promote(expectedRevision(body == null || body.length == 0 ? null : json.readTree(body)));
    }

    @Operation(summary = "End the canary, or return to the previous active version; a guardrail ends a canary with its reason")
    @Post(uri = "/rollback", consumes = MediaType.APPLICATION_JSON)
    public RoutingState rollback(@Nullable @Body byte[] body) throws IOException {
        JsonNode node = body == null || body.length == 0 ? null : json.readTree(body);
        Long revision = expectedRevision(node);
        JsonNode by = node == null ? null : node.get("by");
        if (by == null || by.isNull() || "admin".equals(by.asText())) return registry.rollback(revision);
        if (!"guardrail".equals(by.asText())) throw ApiException.badRequest("invalid_value", "by must be admin or guardrail", "by");
        JsonNode version = node.get("version");
        JsonNode reason = node.get("reason");
        if (version == null || !version.isTextual()) throw ApiException.badRequest("missing_field", "a guardrail roll back names the canary version", "version");
        if (reason == null || !reason.isTextual() || reason.asText().isBlank() || reason.asText().length() > 500) {
            throw ApiException.badRequest("missing_field", "a guardrail roll back says why, in at most 500 characters", "reason");
        }
        return registry.guardrailRollback(version.asText(), reason.asText(), revision);
    }

    /**
     * The optional {@code expectedRevision} of a routing change: the {@code revision} of the state
     * the caller saw; when another change came first the answer is 409 {@code conflict}.
     */
    private static Long expectedRevision(JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (!node.isObject()) throw ApiException.badRequest("invalid_type", "the body must be a JSON object", null);
        JsonNode r = node.get("expectedRevision");
        if (r == null || r.isNull()) return null;
        if (!r.canConvertToLong() || !r.isIntegralNumber() || r.asLong() < 0) {
            throw ApiException.badRequest("invalid_type", "expectedRevision must be a whole number >= 0", "expectedRevision");
        }
        return r.asLong();
    }

    @Operation(summary = "The routing state (active, canary, percentage, history, revision)")
    @Get("/state")
    public RoutingState state() { return registry.state(); }

    private Map<String, Object> summary(RuleVersion v, RoutingState state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", v.id());
        m.put("createdAt", v.createdAt().toString());
        m.put("description", v.description());
        m.put("sha256", v.sha256());
        m.put("status", v.id().equals(state.active()) ? "active" : v.id().equals(state.canary()) ? "canary"
                : state.history().contains(v.id()) ? "previous" : "inactive");
        m.put("ready", registry.isReady(v.id()));
        m.put("fileNames", List.copyOf(v.files().keySet()));
        m.put("rules", v.rules());
        return m;
    }

    private record Pack(Map<String, String> files, String description) {}

    private Pack pack(HttpRequest<?> request, byte[] body, String name) throws IOException {
        if (body == null || body.length == 0) throw ApiException.badRequest("missing_body", "send DRL as text/plain or {\"files\": {...}} as JSON", null);
        MediaType type = request.getContentType().orElse(MediaType.TEXT_PLAIN_TYPE);
        if (type.getName().equals(MediaType.APPLICATION_JSON)) {
            JsonNode node = json.readTree(body);
            if (node == null || !node.isObject()) throw ApiException.badRequest("invalid_type", "the body must be a JSON object", null);
            JsonNode files = node.get("files");
            if (files == null || !files.isObject() || files.isEmpty()) {
                throw ApiException.badRequest("missing_field", "files must be an object of {\"name.drl\": \"DRL text\"}", "files");
            }
            if (files.size() > MAX_FILES) throw ApiException.badRequest("too_many", "at most " + MAX_FILES + " files per pack", "files");
            Map<String, String> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                checkName(e.getKey(), "files." + e.getKey());
                if (!e.getValue().isTextual()) throw ApiException.badRequest("invalid_type", "files." + e.getKey() + " must be text", "files." + e.getKey());
                out.put(e.getKey(), e.getValue().asText());
            }
            JsonNode d = node.get("description");
            if (d != null && !d.isNull() && !d.isTextual()) throw ApiException.badRequest("invalid_type", "description must be a string", "description");
            String description = d == null || d.isNull() ? null : d.asText();
            if (description != null && description.length() > MAX_DESCRIPTION) {
                throw ApiException.badRequest("too_long", "description must be at most " + MAX_DESCRIPTION + " characters", "description");
            }
            return new Pack(out, description);
        }
        String file = name == null ? "rules.drl" : name;
        checkName(file, "name");
        return new Pack(Map.of(file, new String(body, StandardCharsets.UTF_8)), null);
    }

    private static void checkName(String name, String field) {
        if (!FILE_NAME.matcher(name).matches() && !(field.startsWith("files.") && RulePack.SETTINGS_FILES.contains(name))) {
            throw ApiException.badRequest("invalid_value", "file names must be 1-96 letters, digits, '_', '-' or '.' followed by .drl "
                    + "(or the pack's thresholds.yaml, caps.yaml or triggers.yaml), was '" + name + "'", field);
        }
    }
}
