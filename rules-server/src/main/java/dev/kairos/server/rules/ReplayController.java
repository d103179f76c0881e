package dev.kairos.server.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.engine.CompileResult;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.engine.RuleSource;
import dev.kairos.rules.replay.Replay;
import dev.kairos.server.config.KairosConfig;
import dev.kairos.service.api.ApiException;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * {@code POST /v1/rules/versions/{id}/replay} (admin key): replays a stored version (typically
 * one just uploaded, before its canary) on the decisions recorded in a window, read from the
 * feedback service's {@code GET /v1/replay-log} ({@code kairos.feedback-url}), and answers what
 * {@code ./kairos rules replay} prints, as JSON. One replay at a time per instance, on one
 * thread (decisions keep the other cores); {@code limit} decisions at most (default 100,000).
 */
@Tag(name = "Rules", description = "Rule versions and routing: validate, upload, canary, promote, roll back (docs/api.md#rule-lifecycle)")
@Controller("/v1/rules/versions")
@ExecuteOn(TaskExecutors.BLOCKING)
public class ReplayController {
    private static final Set<String> FIELDS = Set.of("from", "to", "limit", "examples", "weights");
    static final long DEFAULT_LIMIT = 100_000;
    static final long MAX_LIMIT = 1_000_000;

    private final RuleRegistry registry;
    private final RuleCompiler compiler;
    private final ObjectMapper json;
    private final String feedbackUrl;
    private final String adminKey;
    private final Semaphore running = new Semaphore(1);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ReplayController(RuleRegistry registry, RuleCompiler compiler, ObjectMapper json, KairosConfig config,
                            @Value("${kairos.feedback-url:http://localhost:8081}") String feedbackUrl) {
        this.registry = registry;
        this.compiler = compiler;
        this.json = json;
        this.feedbackUrl = feedbackUrl.replaceAll("/+$", "");
        this.adminKey = config.adminKey();
    }

    @Operation(summary = "Replay a stored version on recorded decisions: what changes, and an estimate of the CTR change")
    @Post(uri = "/{id}/replay", consumes = MediaType.APPLICATION_JSON)
    public Map<String, Object> replay(@PathVariable String id, @Nullable @Body byte[] body) throws IOException, InterruptedException {
        JsonNode node = body == null || body.length == 0 ? json.createObjectNode() : json.readTree(body);
        if (node == null || !node.isObject()) throw ApiException.badRequest("invalid_type", "the body must be a JSON object", null);
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) throw ApiException.badRequest("unknown_field", "unknown field '" + f + "'; the fields are from, to, limit, examples and weights", f);
        }
        Instant to = instant(node, "to", Instant.now());
        Instant from = instant(node, "from", to.minus(Duration.ofDays(7)));
        if (!from.isBefore(to)) throw ApiException.badRequest("invalid_range", "from must be before to", "from");
        long limit = node.path("limit").asLong(DEFAULT_LIMIT);
        if (node.has("limit") && (!node.get("limit").canConvertToLong() || limit < 1 || limit > MAX_LIMIT)) {
            throw ApiException.badRequest("out_of_range", "limit must be between 1 and " + MAX_LIMIT, "limit");
        }
        int examples = node.path("examples").asInt(5);
        if (examples < 0 || examples > 50) throw ApiException.badRequest("out_of_range", "examples must be between 0 and 50", "examples");
        dev.kairos.rules.Weights weights = weights(node.get("weights"));
        RuleVersion v = registry.version(id).orElseThrow(() -> ApiException.notFound("no rules version '" + id + "'"));
        if (!running.tryAcquire()) {
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "busy", "a replay is already running on this instance; try again when it is done", null, null);
        }
        try {
            List<RuleSource> sources = new ArrayList<>();
            v.files().forEach((name, text) -> sources.add(new RuleSource(name, text)));
            CompileResult compiled = compiler.compile("replay-" + v.id(), new RulePack(sources));
            if (!compiled.ok()) throw ApiException.unavailable("version " + id + " does not compile here: " + compiled.problems());
            URI uri = URI.create(feedbackUrl + "/v1/replay-log?from=" + enc(from.toString()) + "&to=" + enc(to.toString()) + "&limit=" + limit);
            HttpResponse<InputStream> r;
            try {
                r = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + adminKey).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw ApiException.unavailable("the feedback service at " + feedbackUrl + " is not reachable (KAIROS_FEEDBACK_URL)");
            }
            try (CompiledRules candidate = compiled.orThrow(); InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                    throw ApiException.unavailable("the feedback service answered HTTP " + r.statusCode() + " for the recorded decisions");
                }
                long start = System.nanoTime();
                Replay.Report report = new Replay(candidate, 1, examples, weights)
                        .run(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16), n -> { });
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("version", v.id());
                if (weights != null) out.put("weights", weights.getVersion());
                out.put("from", from.toString());
                out.put("to", to.toString());
                out.put("seconds", (System.nanoTime() - start) / 1e9);
                out.put("replayed", report.replayed());
                out.put("changed", report.changed());
                out.put("unreadable", report.unreadable());
                out.put("placements", report.placements());
                out.put("transitions", report.transitions());
                out.put("examples", report.examples());
                out.put("shown", report.shown());
                out.put("loggedCtr", report.loggedCtr());
                out.put("estCtrDelta", report.estCtrDelta());
                out.put("ciLow", report.ciLow());
                out.put("ciHigh", report.ciHigh());
                out.put("overlap", report.overlap());
                out.put("unsupported", report.unsupported());
                out.put("result", report.resultLine());
                return out;
            }
        } finally {
            running.release();
        }
    }

    /**
     * Candidate weights to replay with instead of the recorded ones:
     * {@code {"version": "w…", "recency": 0.2, "depth": 0.7, "conversion": 0.1, "named": {"highIntentThreshold": 0.8}}}.
     */
    static dev.kairos.rules.Weights weights(JsonNode w) {
        if (w == null || w.isNull()) return null;
        if (!w.isObject()) throw ApiException.badRequest("invalid_type", "weights must be an object", "weights");
        Set<String> known = Set.of("version", "recency", "depth", "conversion", "named");
        for (var it = w.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) throw ApiException.badRequest("unknown_field", "unknown field 'weights." + f + "'; the fields are " + known, "weights." + f);
        }
        double[] v = new double[3];
        String[] names = {"recency", "depth", "conversion"};
        for (int i = 0; i < 3; i++) {
            JsonNode n = w.get(names[i]);
            if (n == null || !n.isNumber() || !(n.asDouble() >= 0) || !Double.isFinite(n.asDouble())) {
                throw ApiException.badRequest("invalid_value", "weights." + names[i] + " must be a number >= 0", "weights." + names[i]);
            }
            v[i] = n.asDouble();
        }
        Map<String, Double> named = new LinkedHashMap<>();
        JsonNode n = w.get("named");
        if (n != null && !n.isNull()) {
            if (!n.isObject()) throw ApiException.badRequest("invalid_type", "weights.named must be an object of numbers", "weights.named");
            for (var it = n.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isNumber() || !Double.isFinite(e.getValue().asDouble())) {
                    throw ApiException.badRequest("invalid_value", "weights.named." + e.getKey() + " must be a number", "weights.named." + e.getKey());
                }
                named.put(e.getKey(), e.getValue().asDouble());
            }
        }
        String version = w.path("version").isTextual() && !w.path("version").asText().isBlank() ? w.get("version").asText() : "candidate";
        return new dev.kairos.rules.Weights(version, v[0], v[1], v[2], named);
    }

    private static Instant instant(JsonNode node, String field, Instant fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isTextual()) throw ApiException.badRequest("invalid_type", field + " must be an ISO-8601 instant or a day such as 2026-11-01", field);
        String s = v.asText().strip();
        try {
            return s.length() == 10 ? java.time.LocalDate.parse(s).atStartOfDay(java.time.ZoneOffset.UTC).toInstant() : Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("invalid_value", field + " must be an ISO-8601 instant or a day such as 2026-11-01", field);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
