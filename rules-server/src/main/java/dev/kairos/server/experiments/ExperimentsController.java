package dev.kairos.server.experiments;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.Operation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.service.api.ApiException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A/B experiments over HTTP (admin key): {@code PUT /v1/experiments/{name}} creates or replaces
 * one, {@code GET /v1/experiments} lists them, {@code GET /v1/experiments/{name}} reads one,
 * {@code DELETE /v1/experiments/{name}} removes it. Bodies are validated strictly: unknown fields,
 * wrong types and out-of-range values are {@code 400} with the usual error shape. Writes go through
 * the experiments topic ({@link ExperimentService}), so every instance answers the same; a write
 * Kafka does not acknowledge is a {@code 503} and changes nothing. Results are not
 * here: feedback-service serves {@code GET /v1/experiments/results} on its own port.
 */
@Tag(name = "Experiments", description = "A/B experiments (docs/api.md#experiments)")
@Controller("/v1/experiments")
@ExecuteOn(TaskExecutors.BLOCKING)
public class ExperimentsController {
    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");
    static final Pattern VARIANT = Pattern.compile("[a-z][a-z0-9_]{0,23}");
    static final Pattern PARAM = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    static final int MAX_VARIANTS = 10;
    static final int MAX_WEIGHT = 10_000;
    static final int MAX_HOLDOUT = 50;
    static final int MAX_PARAMS = 20;
    static final int MAX_PARAM_VALUE = 500;
    static final int MAX_DESCRIPTION = 1000;
    private static final Set<String> FIELDS = Set.of("description", "variants", "holdout", "active", "params");
    private static final Set<String> VARIANT_FIELDS = Set.of("name", "weight");

    private final ExperimentRegistry registry;
    private final ExperimentService service;
    private final ObjectMapper json;

    public ExperimentsController(ExperimentRegistry registry, ExperimentService service, ObjectMapper json) {
        this.registry = registry;
        this.service = service;
        this.json = json;
    }

    @Operation(summary = "Create or replace an experiment")
    @Put(uri = "/{name}", consumes = MediaType.APPLICATION_JSON)
    public HttpResponse<Map<String, Object>> put(@PathVariable String name, @Nullable @Body byte[] body) throws IOException {
        Experiment e = parse(checkName(name), body);
        boolean created = service.put(e);
        return created ? HttpResponse.<Map<String, Object>>status(HttpStatus.CREATED).body(view(e)).header(HttpHeaders.LOCATION, "/v1/experiments/" + name)
                : HttpResponse.ok(view(e));
    }

    @Operation(summary = "List the experiments")
    @Get
    public Map<String, Object> list() {
        return Map.of("experiments", registry.list().stream().map(ExperimentsController::view).toList());
    }

    @Operation(summary = "One experiment")
    @Get("/{name}")
    public Map<String, Object> get(@PathVariable String name) {
        return view(registry.get(name).orElseThrow(() -> notFound(name)));
    }

    @Operation(summary = "Stop and delete an experiment")
    @Delete("/{name}")
    public HttpResponse<Void> delete(@PathVariable String name) {
        if (!service.delete(name)) throw notFound(name);
        return HttpResponse.noContent();
    }

    static Map<String, Object> view(Experiment e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", e.name());
        m.put("description", e.description());
        m.put("variants", e.variants().stream().map(v -> Map.of("name", v.name(), "weight", v.weight())).toList());
        m.put("holdout", e.holdout());
        m.put("active", e.active());
        m.put("params", e.params());
        m.put("updatedAt", e.updatedAt().toString());
        return m;
    }

    private static ApiException notFound(String name) {
        return ApiException.notFound("results".equals(name)
                ? "experiment results are served by feedback-service (port 8081): GET /v1/experiments/results"
                : "no experiment '" + name + "'");
    }

    private static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.equals("results")) {
            throw ApiException.badRequest("invalid_value",
                    "experiment names are 1-32 lowercase letters, digits or '_', starting with a letter ('results' is reserved)", "name");
        }
        return name;
    }

    private Experiment parse(String name, byte[] body) throws IOException {
        if (body == null || body.length == 0) throw ApiException.badRequest("missing_body", "send the experiment as a JSON object", null);
        JsonNode node = json.readTree(body);
        if (node == null || !node.isObject()) throw ApiException.badRequest("invalid_type", "the body must be a JSON object", null);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) throw ApiException.badRequest("unknown_field", "unknown field '" + f + "'; allowed: " + new java.util.TreeSet<>(FIELDS), f);
        }
        String description = null;
        JsonNode d = node.get("description");
        if (d != null && !d.isNull()) {
            if (!d.isTextual()) throw ApiException.badRequest("invalid_type", "description must be a string", "description");
            description = d.asText();
            if (description.length() > MAX_DESCRIPTION) throw ApiException.badRequest("too_long", "description must be at most " + MAX_DESCRIPTION + " characters", "description");
        }
        JsonNode vs = node.get("variants");
        if (vs == null || vs.isNull()) throw ApiException.badRequest("missing_field", "variants is required: [{\"name\": \"control\", \"weight\": 50}, ...]", "variants");
        if (!vs.isArray()) throw ApiException.badRequest("invalid_type", "variants must be an array", "variants");
        if (vs.size() < 2 || vs.size() > MAX_VARIANTS) throw ApiException.badRequest("out_of_range", "an experiment has 2 to " + MAX_VARIANTS + " variants", "variants");
        List<Experiment.VariantSpec> variants = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < vs.size(); i++) {
            JsonNode v = vs.get(i);
            String at = "variants[" + i + "]";
            if (!v.isObject()) throw ApiException.badRequest("invalid_type", at + " must be an object {\"name\", \"weight\"}", at);
            for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!VARIANT_FIELDS.contains(f)) throw ApiException.badRequest("unknown_field", "unknown field '" + f + "' in " + at, at + "." + f);
            }
            JsonNode n = v.get("name");
            if (n == null || !n.isTextual() || !VARIANT.matcher(n.asText()).matches() || n.asText().equals(Assignment.HOLDOUT)) {
                throw ApiException.badRequest("invalid_value", "variant names are 1-24 lowercase letters, digits or '_', starting with a letter ('holdout' is reserved)", at + ".name");
            }
            if (!seen.add(n.asText())) throw ApiException.badRequest("duplicate", "variant '" + n.asText() + "' appears twice", at + ".name");
            JsonNode w = v.get("weight");
            if (w == null || !w.isIntegralNumber()) throw ApiException.badRequest("invalid_type", at + ".weight must be a whole number", at + ".weight");
            if (!w.canConvertToInt() || w.asInt() < 1 || w.asInt() > MAX_WEIGHT) {
                throw ApiException.badRequest("out_of_range", at + ".weight must be between 1 and " + MAX_WEIGHT, at + ".weight");
            }
            variants.add(new Experiment.VariantSpec(n.asText(), w.asInt()));
        }
        int holdout = 0;
        JsonNode h = node.get("holdout");
        if (h != null && !h.isNull()) {
            if (!h.isIntegralNumber()) throw ApiException.badRequest("invalid_type", "holdout must be a whole percent", "holdout");
            if (!h.canConvertToInt() || h.asInt() < 0 || h.asInt() > MAX_HOLDOUT) throw ApiException.badRequest("out_of_range", "holdout must be between 0 and " + MAX_HOLDOUT + " percent", "holdout");
            holdout = h.asInt();
        }
        boolean active = true;
        JsonNode a = node.get("active");
        if (a != null && !a.isNull()) {
            if (!a.isBoolean()) throw ApiException.badRequest("invalid_type", "active must be true or false", "active");
            active = a.asBoolean();
        }
        Map<String, Map<String, String>> params = new LinkedHashMap<>();
        JsonNode p = node.get("params");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) throw ApiException.badRequest("invalid_type", "params must be an object {\"variant\": {\"key\": \"value\"}}", "params");
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String at = "params." + e.getKey();
                if (!seen.contains(e.getKey())) throw ApiException.badRequest("unknown_variant", "params names variant '" + e.getKey() + "', which is not in variants", at);
                if (!e.getValue().isObject()) throw ApiException.badRequest("invalid_type", at + " must be an object of string values", at);
                if (e.getValue().size() > MAX_PARAMS) throw ApiException.badRequest("too_many", "at most " + MAX_PARAMS + " params per variant", at);
                Map<String, String> values = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> pit = e.getValue().fields(); pit.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = pit.next();
                    String pat = at + "." + kv.getKey();
                    if (!PARAM.matcher(kv.getKey()).matches()) throw ApiException.badRequest("invalid_value", "param names are 1-64 letters, digits or '_', starting with a letter", pat);
                    if (!kv.getValue().isTextual()) throw ApiException.badRequest("invalid_type", pat + " must be a string", pat);
                    if (kv.getValue().asText().length() > MAX_PARAM_VALUE) throw ApiException.badRequest("too_long", pat + " must be at most " + MAX_PARAM_VALUE + " characters", pat);
                    values.put(kv.getKey(), kv.getValue().asText());
                }
                params.put(e.getKey(), values);
            }
        }
        return new Experiment(name, description, variants, holdout, active, params, Instant.now());
    }
}
