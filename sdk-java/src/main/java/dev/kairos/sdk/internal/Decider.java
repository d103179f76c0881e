package dev.kairos.sdk.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.sdk.Adaptation;
import dev.kairos.sdk.Decision;
import dev.kairos.sdk.KairosLogger;
import dev.kairos.sdk.KairosLogger.Level;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Asks {@code POST /v1/decide} with a hard time limit; when the server fails or is slow, answers
 * each placement with the last good answer for the same user and context ({@link DecisionCache}),
 * else with the app's default for it, else with "show nothing". Never throws for a server or
 * network problem. Thread-safe.
 */
public final class Decider {
    private static final MediaType JSON_TYPE = MediaType.get("application/json");

    private final HttpUrl url;
    private final String writeKey;
    private final OkHttpClient http;
    private final KairosLogger logger;
    private final DecisionCache cache;
    private final Map<String, Adaptation> defaults;

    public Decider(HttpUrl baseUrl, String writeKey, OkHttpClient http, Duration timeout, KairosLogger logger, DecisionCache cache,
                   Map<String, Adaptation> defaults) {
        this.url = baseUrl.newBuilder().addPathSegments("v1/decide").build();
        this.writeKey = writeKey;
        this.http = http.newBuilder().callTimeout(timeout).build();
        this.logger = logger;
        this.cache = cache;
        this.defaults = defaults;
    }

    /** Blocks for at most the decide timeout; {@code scope} keys the cache (user and context). */
    public Decision decide(Map<String, Object> body, List<String> placements, String scope) {
        try (Response response = http.newCall(request(body)).execute()) {
            return answer(response, placements, scope);
        } catch (IOException | RuntimeException e) {
            return fallback(placements, scope, e.toString());
        }
    }

    /** Never completes exceptionally; completes on OkHttp's dispatcher thread. */
    public CompletableFuture<Decision> decideAsync(Map<String, Object> body, List<String> placements, String scope) {
        CompletableFuture<Decision> result = new CompletableFuture<>();
        Request request;
        try {
            request = request(body);
        } catch (RuntimeException e) {
            result.complete(fallback(placements, scope, e.toString()));
            return result;
        }
        http.newCall(request).enqueue(new okhttp3.Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                result.complete(fallback(placements, scope, e.toString()));
            }

            @Override
            public void onResponse(Call call, Response response) {
                try (response) {
                    result.complete(answer(response, placements, scope));
                } catch (RuntimeException e) {
                    result.complete(fallback(placements, scope, e.toString()));
                }
            }
        });
        return result;
    }

    /** The app's defaults (else "show nothing") for every placement, without asking anyone: for an opted-out user. */
    public Decision defaults(List<String> placements, String why) {
        List<Adaptation> out = new ArrayList<>();
        for (String p : placements) out.add(defaultFor(p, why));
        return new Decision(null, null, null, out, Collections.emptyList(), Decision.Source.DEFAULT);
    }

    private Request request(Map<String, Object> body) {
        byte[] json;
        try {
            json = Pipeline.JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new Request.Builder().url(url).header("Authorization", "Bearer " + writeKey)
                .post(RequestBody.create(json, JSON_TYPE)).build();
    }

    private Decision answer(Response response, List<String> placements, String scope) {
        String text;
        try {
            ResponseBody rb = response.body();
            text = rb == null ? "" : rb.string();
        } catch (IOException e) {
            return fallback(placements, scope, e.toString());
        }
        if (!response.isSuccessful()) {
            Level level = response.code() >= 500 || response.code() == 429 ? Level.WARN : Level.ERROR;
            logger.log(level, "decide answered HTTP " + response.code() + ": " + text, null);
            return fallback(placements, scope, "HTTP " + response.code());
        }
        Decision d;
        try {
            d = parse(Pipeline.JSON.readTree(text));
        } catch (IOException | RuntimeException e) {
            return fallback(placements, scope, "unreadable answer: " + e);
        }
        cache.put(scope, d.adaptations(), d.rulesVersion(), d.weightsVersion(), d.segments(), d.variants());
        return d;
    }

    private Decision fallback(List<String> placements, String scope, String why) {
        logger.log(Level.DEBUG, "decide fell back (" + why + ")", null);
        List<Adaptation> out = new ArrayList<>();
        DecisionCache.Entry first = null;
        for (String p : placements) {
            DecisionCache.Entry e = cache.get(scope, p);
            if (e != null) {
                if (first == null) first = e;
                out.add(e.adaptation);
            } else {
                out.add(defaultFor(p, "the rules server did not answer in time"));
            }
        }
        if (first == null) return new Decision(null, null, null, out, Collections.emptyList(), Decision.Source.DEFAULT);
        return new Decision(first.adaptation.decisionId(), first.rulesVersion, first.weightsVersion, out, first.segments, first.variants,
                null, Decision.Source.CACHE);
    }

    private Adaptation defaultFor(String placement, String why) {
        Adaptation a = defaults.get(placement);
        return a != null ? a : Adaptation.none(placement, why);
    }

    static Decision parse(JsonNode n) {
        String decisionId = text(n, "decisionId");
        List<Adaptation> adaptations = new ArrayList<>();
        for (JsonNode a : n.path("adaptations")) adaptations.add(adaptation(a, decisionId));
        List<String> segments = new ArrayList<>();
        for (JsonNode s : n.path("segments")) segments.add(s.asText());
        Map<String, String> variants = new LinkedHashMap<>();
        n.path("variants").fields().forEachRemaining(e -> variants.put(e.getKey(), e.getValue().asText()));
        @SuppressWarnings("unchecked")
        Map<String, Object> explanation = n.path("explanation").isObject() ? (Map<String, Object>) plain(n.get("explanation")) : null;
        return new Decision(decisionId, text(n, "rulesVersion"), text(n, "weightsVersion"), adaptations, segments, variants,
                explanation, Decision.Source.SERVER);
    }

    static Adaptation adaptation(JsonNode a, String decisionId) {
        Map<String, String> params = new LinkedHashMap<>();
        a.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
        return new Adaptation(a.path("placement").asText(), text(a, "contentId"), text(a, "tone"), text(a, "format"),
                text(a, "cta"), text(a, "rule"), text(a, "reason"), a.path("fallback").asBoolean(),
                a.path("suppressed").asBoolean(), params, decisionId);
    }

    /** A JSON tree as plain maps, lists, strings, numbers, booleans and nulls (no data binding: nothing for a shrinker to keep). */
    static Object plain(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), plain(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>(n.size());
            for (JsonNode e : n) l.add(plain(e));
            return l;
        }
        if (n.isBoolean()) return n.booleanValue();
        if (n.isIntegralNumber()) return n.canConvertToLong() ? (Object) n.longValue() : n.bigIntegerValue();
        if (n.isNumber()) return n.doubleValue();
        return n.asText();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
