package dev.kairos.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A MockWebServer that answers like the rules server: decide with a content id naming the user it
 * was asked for (so a leak between users is visible), events and outcomes with "all accepted".
 * Decide can be switched off (503) to exercise the fallback.
 */
final class FakeServer implements Closeable {
    final MockWebServer server = new MockWebServer();
    final List<JsonNode> decides = new CopyOnWriteArrayList<>();
    final List<JsonNode> events = new CopyOnWriteArrayList<>();
    final List<JsonNode> outcomes = new CopyOnWriteArrayList<>();
    final AtomicInteger decisionIds = new AtomicInteger();
    volatile boolean decideUp = true;

    FakeServer() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getPath();
                if (path.endsWith("/v1/decide")) {
                    JsonNode body = Collector.body(request);
                    decides.add(body);
                    if (!decideUp) return new MockResponse().setResponseCode(503).setBody("{\"error\": {\"code\": \"unavailable\"}}");
                    String who = body.hasNonNull("userId") ? body.get("userId").asText() : body.path("anonymousId").asText();
                    String page = body.path("context").path("page").asText("any");
                    StringBuilder adaptations = new StringBuilder();
                    for (JsonNode p : body.path("placements")) {
                        if (adaptations.length() > 0) adaptations.append(',');
                        adaptations.append("{\"placement\": \"").append(p.asText()).append("\", \"contentId\": \"for-").append(who)
                                .append("-on-").append(page).append("\", \"format\": \"banner\", \"rule\": \"R\", \"fallback\": false,"
                                + " \"suppressed\": false, \"params\": {}}");
                    }
                    return new MockResponse().setBody("{\"decisionId\": \"d-" + decisionIds.incrementAndGet() + "\", \"rulesVersion\": \"v1\","
                            + " \"adaptations\": [" + adaptations + "], \"segments\": [\"browsers\"], \"variants\": {\"banner_copy\": \"copy_b\"},"
                            + " \"explanation\": {\"firedRules\": [\"R\"], \"placements\": {}}}");
                }
                List<JsonNode> batch = Collector.batch(request);
                (path.endsWith("/v1/outcomes") ? outcomes : events).addAll(batch);
                return new MockResponse().setBody(Collector.ok(batch.size()));
            }
        });
        server.start();
    }

    String url() {
        return server.url("/").toString();
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
    }
}
