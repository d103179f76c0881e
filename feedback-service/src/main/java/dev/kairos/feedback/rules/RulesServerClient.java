package dev.kairos.feedback.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Asks rules-server which rules exist: {@code GET <kairos.feedback.rules-server-url>/v1/rules/versions}
 * with the admin key ({@code kairos.feedback.rules-server-key}, by default this service's own admin
 * key, which is the same as rules-server's), and keeps the rules of the versions that serve traffic
 * now (status {@code active} or {@code canary}). Fails soft: with no URL configured, or when
 * rules-server does not answer within 3 s or answers an error, the result says why and holds no
 * rules. The key is never logged.
 */
@Singleton
public class RulesServerClient {
    private static final Logger LOG = LoggerFactory.getLogger(RulesServerClient.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final String baseUrl;
    private final String key;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    public RulesServerClient(@Value("${kairos.feedback.rules-server-url:}") String baseUrl,
                             @Value("${kairos.feedback.rules-server-key:}") String key,
                             @Value("${kairos.admin-key:}") String adminKey, ObjectMapper json) {
        this.baseUrl = baseUrl == null ? "" : baseUrl.strip().replaceAll("/+$", "");
        this.key = key == null || key.isBlank() ? (adminKey == null ? "" : adminKey.strip()) : key.strip();
        this.json = json;
    }

    /**
     * The rules known to rules-server, or why they are not known.
     *
     * @param available whether rules-server answered
     * @param reason    why not, {@code null} when it did
     * @param versions  the serving versions' ids by status ({@code active}, {@code canary})
     * @param rules     every rule of a serving version, by name, with the ids of the versions that hold it
     * @param statuses  every stored version's status by id: {@code active}, {@code canary}, {@code previous} or {@code inactive}
     */
    public record KnownRules(boolean available, String reason, Map<String, String> versions, Map<String, List<String>> rules,
                             Routing routing, Map<String, String> statuses) {
        static KnownRules unavailable(String reason) {
            return new KnownRules(false, reason, Map.of(), Map.of(), null, Map.of());
        }
    }

    /**
     * Routing exactly as rules-server has it: the active version, the canary and its share, and the
     * log of routing changes (oldest first), each with who made it ({@code admin} or
     * {@code breaker}) and why.
     */
    public record Routing(String active, String canary, double canaryPercent, List<Change> changes, long revision) {}

    /** One routing change, as rules-server logged it. */
    public record Change(String at, String action, String version, String by, String reason) {}

    /** Whether a rules-server URL is configured at all. */
    public boolean configured() {
        return !baseUrl.isEmpty();
    }

    public KnownRules knownRules() {
        if (!configured()) return KnownRules.unavailable("no rules-server URL configured (KAIROS_RULES_SERVER_URL)");
        HttpResponse<String> response;
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/rules/versions")).timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + key).GET().build();
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("rules-server at {} not reachable: {}", baseUrl, e.toString());
            return KnownRules.unavailable("rules-server not reachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return KnownRules.unavailable("interrupted");
        }
        if (response.statusCode() != 200) {
            LOG.warn("rules-server at {} answered {} to GET /v1/rules/versions", baseUrl, response.statusCode());
            return KnownRules.unavailable("rules-server answered " + response.statusCode()
                    + (response.statusCode() == 401 ? " (check the admin key)" : ""));
        }
        try {
            JsonNode root = json.readTree(response.body());
            Map<String, String> versions = new TreeMap<>();
            Map<String, List<String>> rules = new TreeMap<>();
            Map<String, String> statuses = new java.util.LinkedHashMap<>();
            for (JsonNode v : root.path("versions")) {
                String status = v.path("status").asText();
                String id = v.path("id").asText();
                statuses.put(id, status);
                if (!status.equals("active") && !status.equals("canary")) continue;
                versions.put(status, id);
                for (JsonNode r : v.path("rules")) rules.computeIfAbsent(r.asText(), k -> new ArrayList<>()).add(id);
            }
            JsonNode state = root.path("state");
            List<Change> changes = new ArrayList<>();
            for (JsonNode c : state.path("changes")) {
                changes.add(new Change(c.path("at").asText(null), c.path("action").asText(null), c.path("version").asText(null),
                        c.path("by").asText(null), c.path("reason").isNull() ? null : c.path("reason").asText(null)));
            }
            Routing routing = new Routing(state.path("active").asText(null), state.path("canary").isNull() ? null : state.path("canary").asText(null),
                    state.path("canaryPercent").asDouble(0), changes, state.path("revision").asLong(0));
            return new KnownRules(true, null, versions, rules, routing, statuses);
        } catch (IOException e) {
            return KnownRules.unavailable("rules-server's answer was not understood");
        }
    }

    /** rules-server's answer to a forwarded request: its status code and JSON body. */
    public record Forwarded(int status, String body) {}

    /**
     * Forwards a rule-management request to rules-server with the admin key ({@code GET} with a
     * null body, else {@code POST} of JSON): the dashboard's pack view, diff and canary controls.
     * Throws a 503 {@link dev.kairos.service.api.ApiException} when rules-server is not configured
     * or not reachable.
     */
    public Forwarded forward(String path, String jsonBody) {
        return forward(path, jsonBody, Duration.ofSeconds(15));
    }

    /** {@link #forward(String, String)} with its own time limit (a replay takes longer than a routing change). */
    public Forwarded forward(String path, String jsonBody, Duration timeout) {
        if (!configured()) throw dev.kairos.service.api.ApiException.unavailable("no rules-server URL configured (KAIROS_RULES_SERVER_URL)");
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .header("Authorization", "Bearer " + key);
        if (jsonBody == null) b.GET();
        else b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(jsonBody));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Forwarded(r.statusCode(), r.body());
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("rules-server at {} not reachable: {}", baseUrl, e.toString());
            throw dev.kairos.service.api.ApiException.unavailable("rules-server not reachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw dev.kairos.service.api.ApiException.unavailable("interrupted");
        }
    }
}
