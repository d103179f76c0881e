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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Asks {@code POST /v1/decide} with a hard time limit; when the server fails or is slow, answers
 * with the last good decision for the same placements, else with "show nothing". Never throws for
 * a server or network problem. Thread-safe.
 */
public final class Decider {
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final int CACHE_SIZE = 64;

    private final HttpUrl url;
    private final String writeKey;
    private final OkHttpClient http;
    private final KairosLogger logger;
    private final Map<String, Decision> lastGood = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Decision> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    public Decider(HttpUrl baseUrl, String writeKey, OkHttpClient http, Duration timeout, KairosLogger logger) {
        this.url = baseUrl.newBuilder().addPathSegments("v1/decide").build();
        this.writeKey = writeKey;
        this.http = http.newBuilder().callTimeout(timeout).build();
        this.logger = logger;
    }

    /** Blocks for at most the decide timeout. */
    public Decision decide(Map<String, Object> body, List<String> placements) {
        try (Response response = http.newCall(request(body)).execute()) {
            return answer(response, placements);
        } catch (IOException | RuntimeException e) {
            return fallback(placements, e.toString());
        }
    }

    /** Never completes exceptionally; completes on OkHttp's dispatcher thread. */
    public CompletableFuture<Decision> decideAsync(Map<String, Object> body, List<String> placements) {
        CompletableFuture<Decision> result = new CompletableFuture<>();
        Request request;
        try {
            request = request(body);
        } catch (RuntimeException e) {
            result.complete(fallback(placements, e.toString()));
            return result;
        }
        http.newCall(request).enqueue(new okhttp3.Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                result.complete(fallback(placements, e.toString()));
            }

            @Override
            public void onResponse(Call call, Response response) {
                try (response) {
                    result.complete(answer(response, placements));
                } catch (RuntimeException e) {
                    result.complete(fallback(placements, e.toString()));
                }
            }
        });
        return result;
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

    private Decision answer(Response response, List<String> placements) {
        String text;
        try {
            ResponseBody rb = response.body();
            text = rb == null ? "" : rb.string();
        } catch (IOException e) {
            return fallback(placements, e.toString());
        }
        if (!response.isSuccessful()) {
            Level level = response.code() >= 500 || response.code() == 429 ? Level.WARN : Level.ERROR;
            logger.log(level, "decide answered HTTP " + response.code() + ": " + text, null);
            return fallback(placements, "HTTP " + response.code());
        }
        Decision d;
        try {
            d = parse(Pipeline.JSON.readTree(text));
        } catch (IOException | RuntimeException e) {
            return fallback(placements, "unreadable answer: " + e);
        }
        synchronized (lastGood) {
            lastGood.put(key(placements), d);
        }
        return d;
    }

    private Decision fallback(List<String> placements, String why) {
        logger.log(Level.DEBUG, "decide fell back (" + why + ")", null);
        Decision cached;
        synchronized (lastGood) {
            cached = lastGood.get(key(placements));
        }
        if (cached != null) {
            return new Decision(cached.decisionId(), cached.rulesVersion(), cached.weightsVersion(), cached.adaptations(),
                    cached.segments(), Decision.Source.CACHE);
        }
        List<Adaptation> none = new ArrayList<>();
        for (String p : placements) none.add(Adaptation.none(p, "the rules server did not answer in time"));
        return new Decision(null, null, null, none, java.util.Collections.emptyList(), Decision.Source.DEFAULT);
    }

    static Decision parse(JsonNode n) {
        List<Adaptation> adaptations = new ArrayList<>();
        for (JsonNode a : n.path("adaptations")) {
            Map<String, String> params = new LinkedHashMap<>();
            a.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            adaptations.add(new Adaptation(a.path("placement").asText(), text(a, "contentId"), text(a, "tone"), text(a, "format"),
                    text(a, "cta"), text(a, "rule"), text(a, "reason"), a.path("fallback").asBoolean(),
                    a.path("suppressed").asBoolean(), params));
        }
        List<String> segments = new ArrayList<>();
        for (JsonNode s : n.path("segments")) segments.add(s.asText());
        return new Decision(text(n, "decisionId"), text(n, "rulesVersion"), text(n, "weightsVersion"), adaptations, segments,
                Decision.Source.SERVER);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String key(List<String> placements) {
        return String.join("\u0000", placements);
    }
}
