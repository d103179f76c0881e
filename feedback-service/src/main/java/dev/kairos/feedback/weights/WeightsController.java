package dev.kairos.feedback.weights;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.Operation;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.service.api.ApiException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Recalibration and weights versions (admin key):
 * <ul>
 *   <li>{@code POST /v1/recalibrate?days=28}: refit now; answers what happened ({@link RecalibrationResult}); 409 while one runs</li>
 *   <li>{@code GET /v1/weights}: the version in use, every version (newest first) and every publication</li>
 *   <li>{@code GET /v1/weights/{version}}: one version</li>
 *   <li>{@code GET /v1/weights/diff?from=a&to=b}: what changed between two versions</li>
 *   <li>{@code POST /v1/weights/rollback} with {@code {"version": "..."}}: publish an earlier version again</li>
 * </ul>
 * Thin: validates and delegates to {@link Recalibrator} and {@link WeightsStore}; runs on the blocking executor.
 */
@Tag(name = "Weights", description = "Signal weights and their recalibration (docs/api.md#post-v1recalibrate)")
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
public class WeightsController {
    private final Recalibrator recalibrator;
    private final WeightsStore store;

    public WeightsController(Recalibrator recalibrator, WeightsStore store) {
        this.recalibrator = recalibrator;
        this.store = store;
    }

    @Operation(summary = "Refit the weights now; publish the candidate if it is not worse")
    @Post(uri = "/recalibrate", produces = MediaType.APPLICATION_JSON)
    public RecalibrationResult recalibrate(@Nullable @QueryValue String days) {
        Integer d = null;
        if (days != null) {
            try {
                d = Integer.parseInt(days.strip());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid_value", "days must be a whole number from 1 to 365", "days");
            }
            if (d < 1 || d > 365) throw ApiException.badRequest("invalid_value", "days must be a whole number from 1 to 365", "days");
        }
        return recalibrator.run(d);
    }

    @Operation(summary = "The weights versions, newest first")
    @Get(uri = "/weights", produces = MediaType.APPLICATION_JSON)
    public Map<String, Object> weights() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("current", store.current().version());
        body.put("versions", store.versions());
        body.put("publications", store.publications());
        return body;
    }

    @Operation(summary = "What changed between two weights versions")
    @Get(uri = "/weights/diff", produces = MediaType.APPLICATION_JSON)
    public Map<String, Object> diff(@Nullable @QueryValue String from, @Nullable @QueryValue String to) {
        WeightsVersion a = find(from, "from");
        WeightsVersion b = find(to, "to");
        Map<String, Object> changes = new LinkedHashMap<>();
        changes.put("recency", change(a.recency(), b.recency()));
        changes.put("depth", change(a.depth(), b.depth()));
        changes.put("conversion", change(a.conversion(), b.conversion()));
        for (String name : new TreeSet<>(union(a.named(), b.named()))) {
            changes.put("named." + name, change(a.named().get(name), b.named().get(name)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", a.version());
        body.put("to", b.version());
        body.put("changes", changes);
        return body;
    }

    @Operation(summary = "One weights version")
    @Get(uri = "/weights/{version}", produces = MediaType.APPLICATION_JSON)
    public WeightsVersion version(@PathVariable String version) {
        return store.version(version).orElseThrow(() -> ApiException.notFound("no weights version " + version));
    }

    @Operation(summary = "Publish an earlier weights version again")
    @Post(uri = "/weights/rollback", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public Map<String, Object> rollback(@Nullable @Body JsonNode body) {
        if (body == null || !body.path("version").isTextual() || body.path("version").asText().isBlank()) {
            throw ApiException.badRequest("missing_field", "send {\"version\": \"<a published version>\"}", "version");
        }
        WeightsVersion v = recalibrator.rollback(body.path("version").asText().strip());
        return Map.of("current", v.version());
    }

    private WeightsVersion find(String version, String param) {
        if (version == null || version.isBlank()) throw ApiException.badRequest("missing_field", param + " is required (a weights version)", param);
        return store.version(version.strip()).orElseThrow(() -> ApiException.badRequest("unknown_version", "no weights version " + version, param));
    }

    private static java.util.Set<String> union(Map<String, Double> a, Map<String, Double> b) {
        java.util.Set<String> s = new java.util.HashSet<>(a.keySet());
        s.addAll(b.keySet());
        return s;
    }

    private static Map<String, Object> change(Double from, Double to) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", from);
        m.put("to", to);
        m.put("delta", from == null || to == null ? null : to - from);
        return m;
    }
}
