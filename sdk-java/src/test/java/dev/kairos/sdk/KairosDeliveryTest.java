package dev.kairos.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.kairos.sdk.Collector.batch;
import static dev.kairos.sdk.Collector.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class KairosDeliveryTest {
    @TempDir
    Path dir;
    MockWebServer server;
    final List<String> events = new CopyOnWriteArrayList<>();
    final Callback recorder = new Callback() {
        @Override public void onDelivered(String path, int accepted, int duplicates) { events.add("delivered " + path + " " + accepted); }
        @Override public void onRejected(String path, String itemId, String code, String message) { events.add("rejected " + itemId + " " + code); }
        @Override public void onFailed(String path, int count, int status, String reason) { events.add("failed " + count + " " + status + " " + reason); }
        @Override public void onDropped(String path, int count, String reason) { events.add("dropped " + count + " " + reason); }
    };
    final List<Kairos> clients = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        for (Kairos k : clients) k.close();
        server.shutdown();
    }

    /** A collector that accepts every batch and adds each event's {@code properties.path} to {@code paths}. */
    static Dispatcher accepting(java.util.Collection<String> paths) {
        return new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                List<JsonNode> b = batch(request);
                b.forEach(e -> paths.add(e.get("properties").get("path").asText()));
                return new MockResponse().setBody(ok(b.size()));
            }
        };
    }

    Kairos.Builder builder() {
        return Kairos.builder("wk_test").baseUrl(server.url("/").toString()).storageDirectory(dir.resolve("kairos"))
                .flushInterval(Duration.ofHours(1)).callback(recorder).logger(KairosLogger.NONE)
                .backoff(attempt -> Duration.ofMillis(10)).closeTimeout(Duration.ofSeconds(2));
    }

    Kairos client(Kairos.Builder b) {
        Kairos k = b.build();
        clients.add(k);
        return k;
    }

    @Test
    void sendsAGzipBatchOnceFlushAtEventsAreQueued() throws Exception {
        server.enqueue(new MockResponse().setBody(ok(3)));
        Kairos kairos = client(builder().flushAt(3));
        kairos.productView("sku-1", "dresses");
        kairos.track("search", Map.of("query", "red dress"));
        assertThat(server.takeRequest(300, TimeUnit.MILLISECONDS)).as("two events are below flushAt").isNull();
        kairos.addToCart("sku-1", 2);

        RecordedRequest request = server.takeRequest(10, TimeUnit.SECONDS);
        assertThat(request).isNotNull();
        assertThat(request.getPath()).isEqualTo("/v1/events");
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer wk_test");
        assertThat(request.getHeader("Content-Encoding")).isEqualTo("gzip");
        List<JsonNode> batch = batch(request);
        assertThat(batch).extracting(e -> e.get("type").asText()).containsExactly("product_view", "search", "add_to_cart");
        JsonNode first = batch.get(0);
        assertThat(first.get("eventId").asText()).matches("[0-9a-f-]{36}");
        assertThat(first.get("anonymousId").asText()).isEqualTo(kairos.anonymousId());
        assertThat(first.get("sessionId").asText()).isEqualTo(kairos.sessionId());
        assertThat(first.get("properties").get("category").asText()).isEqualTo("dresses");
        assertThat(first.get("timestamp").asText()).endsWith("Z");
        assertThat(first.get("context").get("timezone").asText()).isNotBlank();
        assertThat(first.get("context").get("library").get("name").asText()).isEqualTo("kairos-java");
        assertThat(first.get("context").get("session").get("id").asText()).isEqualTo(kairos.sessionId());
        assertThat(batch.get(2).get("properties").get("quantity").asInt()).isEqualTo(2);
        await().untilAsserted(() -> assertThat(kairos.stats().delivered()).isEqualTo(3));
    }

    @Test
    void retriesWithTheSameEventIdsWhenTheServerAnswers503() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(503));
        server.enqueue(new MockResponse().setResponseCode(500));
        server.enqueue(new MockResponse().setBody(ok(2)));
        Kairos kairos = client(builder());
        kairos.track("page_view", Map.of("path", "/a"));
        kairos.track("page_view", Map.of("path", "/b"));
        assertThat(kairos.flush(Duration.ofSeconds(10))).isTrue();

        List<Set<String>> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Set<String> s = new HashSet<>();
            batch(server.takeRequest(1, TimeUnit.SECONDS)).forEach(e -> s.add(e.get("eventId").asText()));
            ids.add(s);
        }
        assertThat(ids.get(0)).hasSize(2).isEqualTo(ids.get(1)).isEqualTo(ids.get(2));
        assertThat(kairos.stats().delivered()).isEqualTo(2);
        assertThat(kairos.stats().queued()).isZero();
    }

    @Test
    void aFlushAskedForDuringARetryWaitDeliversEverythingQueued() throws Exception {
        // The size trigger (2 events) starts a delivery; its batch (at most 2 items) gets a 503, so the sender waits
        // out the backoff. A flush asked for meanwhile must deliver all that is queued, also what the size trigger
        // alone would leave (one event, under the trigger) until the next interval, an hour away here.
        server.enqueue(new MockResponse().setResponseCode(503));
        server.enqueue(new MockResponse().setBody(ok(2)));
        server.enqueue(new MockResponse().setBody(ok(1)));
        Kairos kairos = client(builder().flushAt(2).maxBatchSize(2).backoff(attempt -> Duration.ofSeconds(2)));
        kairos.track("page_view", Map.of("path", "/a"));
        kairos.track("page_view", Map.of("path", "/b"));
        assertThat(batch(server.takeRequest(10, TimeUnit.SECONDS))).hasSize(2); // the 503: the sender now waits 2 s
        kairos.track("page_view", Map.of("path", "/c"));
        assertThat(kairos.flush(Duration.ofSeconds(10))).as("the flush completes").isTrue();
        assertThat(batch(server.takeRequest(1, TimeUnit.SECONDS))).extracting(e -> e.get("properties").get("path").asText())
                .containsExactly("/a", "/b");
        assertThat(batch(server.takeRequest(1, TimeUnit.SECONDS))).extracting(e -> e.get("properties").get("path").asText())
                .containsExactly("/c");
        assertThat(kairos.stats().delivered()).isEqualTo(3);
        assertThat(kairos.stats().queued()).isZero();
    }

    @Test
    void honoursRetryAfterOn429() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "2"));
        server.enqueue(new MockResponse().setBody(ok(1)));
        Kairos kairos = client(builder());
        kairos.track("purchase", Map.of("value", 10));
        kairos.flush();
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
        // The back-off alone would retry after 10 ms; the server asked for 2 s.
        assertThat(server.takeRequest(1, TimeUnit.SECONDS)).isNull();
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
        await().untilAsserted(() -> assertThat(kairos.stats().delivered()).isEqualTo(1));
    }

    @Test
    void aPausedClientSendsNothingOnItsTimerUntilResumed() throws Exception {
        server.enqueue(new MockResponse().setBody(ok(1)));
        Kairos kairos = client(builder().flushInterval(Duration.ofMillis(50)));
        kairos.pausePeriodicFlush();
        kairos.track("page_view", Map.of("path", "/bg"));
        await().untilAsserted(() -> assertThat(kairos.stats().persisted()).isEqualTo(1));
        assertThat(server.takeRequest(500, TimeUnit.MILLISECONDS)).as("ten timer periods pass while paused").isNull();
        kairos.resumePeriodicFlush();
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void anExplicitFlushCutsARetryWaitShort() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(503));
        server.enqueue(new MockResponse().setBody(ok(1)));
        Kairos kairos = client(builder().backoff(attempt -> Duration.ofHours(1)));
        kairos.track("page_view", Map.of("path", "/x"));
        kairos.flush();
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
        await().until(() -> server.getRequestCount() == 1);
        // The back-off asks for an hour; the app knows better (the network came back).
        assertThat(kairos.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(kairos.stats().delivered()).isEqualTo(1);
    }

    @Test
    void givesUpAndReportsOnA4xxThatCannotSucceed() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(401)
                .setBody("{\"error\": {\"code\": \"invalid_key\", \"message\": \"not a write key\", \"field\": \"Authorization\"}}"));
        server.enqueue(new MockResponse().setBody(ok(1)));
        Kairos kairos = client(builder());
        kairos.track("click", Map.of("target", "buy"));
        assertThat(kairos.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(events).contains("failed 1 401 invalid_key");
        assertThat(kairos.stats().failed()).isEqualTo(1);
        assertThat(kairos.stats().queued()).isZero();

        kairos.track("click", Map.of("target", "next"));
        assertThat(kairos.flush(Duration.ofSeconds(10))).isTrue();
        server.takeRequest();
        assertThat(batch(server.takeRequest())).extracting(e -> e.get("properties").get("target").asText()).containsExactly("next");
        assertThat(server.getRequestCount()).as("the refused batch was not sent again").isEqualTo(2);
    }

    @Test
    void reportsItemsTheServerRejectsOneByOneAndKeepsTheRest() throws Exception {
        server.enqueue(new MockResponse().setBody("{\"accepted\": 1, \"duplicates\": 0, \"rejected\": "
                + "[{\"index\": 1, \"code\": \"unknown_type\", \"message\": \"no such event type\"}]}"));
        Kairos kairos = client(builder());
        kairos.track("page_view", Map.of("path", "/"));
        kairos.track("teleport", null);
        assertThat(kairos.flush(Duration.ofSeconds(10))).isTrue();
        String rejectedId = batch(server.takeRequest()).get(1).get("eventId").asText();
        assertThat(events).contains("rejected " + rejectedId + " unknown_type");
        assertThat(kairos.stats().rejected()).isEqualTo(1);
        assertThat(kairos.stats().delivered()).isEqualTo(1);
        assertThat(kairos.stats().queued()).isZero();
    }

    @Test
    void splitsABatchTheServerFindsTooLarge() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(413));
        server.enqueue(new MockResponse().setBody(ok(2)));
        server.enqueue(new MockResponse().setBody(ok(2)));
        Kairos kairos = client(builder());
        for (int i = 0; i < 4; i++) kairos.track("page_view", Map.of("path", "/" + i));
        assertThat(kairos.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(batch(server.takeRequest())).hasSize(4);
        assertThat(batch(server.takeRequest())).hasSize(2);
        assertThat(batch(server.takeRequest())).hasSize(2);
        assertThat(kairos.stats().delivered()).isEqualTo(4);
    }

    @Test
    void aBatchTheServerKeepsFailingIsSplitUntilThePoisonItemIsGivenUpAndReported() throws Exception {
        // The server answers 500 to any batch holding the one poisoned event, and takes every other.
        java.util.Set<String> received = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger serverErrors = new java.util.concurrent.atomic.AtomicInteger();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                List<JsonNode> b = batch(request);
                if (b.stream().anyMatch(e -> e.get("properties").get("path").asText().equals("/poison"))) {
                    serverErrors.incrementAndGet();
                    return new MockResponse().setResponseCode(500).setBody("{\"error\": {\"code\": \"internal\"}}");
                }
                b.forEach(e -> received.add(e.get("properties").get("path").asText()));
                return new MockResponse().setBody(ok(b.size()));
            }
        });
        Kairos kairos = client(builder().flushAt(16));
        for (int i = 0; i < 16; i++) kairos.track("page_view", Map.of("path", i == 11 ? "/poison" : "/" + i));
        assertThat(kairos.flush(Duration.ofSeconds(20))).as("delivery does not stall on the poison").isTrue();

        assertThat(received).hasSize(15).doesNotContain("/poison");
        assertThat(kairos.stats().failed()).isEqualTo(1);
        assertThat(kairos.stats().delivered()).isEqualTo(15);
        assertThat(events).contains("failed 1 500 server_error");
        assertThat(serverErrors.get()).as("split, then a few tries of the item alone").isBetween(Pipeline_DROP_AFTER(), 30);

        kairos.track("page_view", Map.of("path", "/after"));
        assertThat(kairos.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(received).as("later events go on being delivered").contains("/after");
    }

    static int Pipeline_DROP_AFTER() { return dev.kairos.sdk.internal.Pipeline.DROP_AFTER_SERVER_ERRORS; }

    @Test
    void aServerFailingEverythingLosesNothing() throws Exception {
        // 500 for every batch is a broken server, not a poison item: nothing is given up.
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse().setResponseCode(500);
            }
        });
        Kairos kairos = client(builder().flushAt(4));
        for (int i = 0; i < 4; i++) kairos.track("page_view", Map.of("path", "/" + i));
        assertThat(kairos.flush(Duration.ofSeconds(3))).isFalse();
        assertThat(kairos.stats().failed()).isZero();
        assertThat(kairos.stats().queued()).isEqualTo(4);
    }

    @Test
    void dropsTheOldestItemsWhenTheQueueIsFullAndSaysSo() throws Exception {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse().setResponseCode(503);
            }
        });
        Kairos kairos = client(builder().maxQueueSize(5).flushAt(5).backoff(attempt -> Duration.ofHours(1)));
        for (int i = 0; i < 12; i++) kairos.track("page_view", Map.of("path", "/" + i));
        await().untilAsserted(() -> assertThat(kairos.stats().persisted()).isEqualTo(12));
        await().untilAsserted(() -> assertThat(kairos.stats().queued()).isLessThanOrEqualTo(5));
        assertThat(kairos.stats().dropped()).isEqualTo(12 - kairos.stats().queued());
        assertThat(events).anyMatch(e -> e.startsWith("dropped") && e.endsWith("queue_full"));
    }

    @Test
    void recordingNeverThrowsForOddPropertiesButRejectsABlankType() throws Exception {
        server.enqueue(new MockResponse().setBody(ok(1)));
        Kairos kairos = client(builder());
        Map<String, Object> odd = new java.util.HashMap<>();
        odd.put("thread", Thread.currentThread());
        odd.put("nan", Double.NaN);
        odd.put("nested", Map.of("list", List.of(1, "two", new int[] {3})));
        odd.put("nothing", null);
        kairos.track("custom", odd);
        assertThatThrownBy(() -> kairos.track(" ", null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type");
        assertThat(kairos.flush(Duration.ofSeconds(10))).isTrue();
        JsonNode props = batch(server.takeRequest()).get(0).get("properties");
        assertThat(props.get("thread").isTextual()).isTrue();
        assertThat(props.get("nan").isNull()).isTrue();
        assertThat(props.get("nested").get("list").get(2).get(0).asInt()).isEqualTo(3);
    }

    @Test
    void queuedEventsSurviveTheClientAndAreSentByTheNextOne() throws Exception {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse().setResponseCode(503);
            }
        });
        Kairos first = builder().closeTimeout(Duration.ofMillis(200)).build();
        for (int i = 0; i < 25; i++) first.track("page_view", Map.of("path", "/" + i));
        await().untilAsserted(() -> assertThat(first.stats().persisted()).isEqualTo(25));
        String anonymousId = first.anonymousId();
        first.close();
        assertThat(first.stats().delivered()).isZero();

        Set<String> paths = Collections.synchronizedSet(new HashSet<>());
        server.setDispatcher(accepting(paths));
        Kairos second = client(builder());
        assertThat(second.anonymousId()).as("the anonymous id is kept on disk").isEqualTo(anonymousId);
        await().untilAsserted(() -> assertThat(paths).hasSize(25));
        assertThat(second.stats().delivered()).isEqualTo(25);
    }

    @Test
    void aServerThatIsDownForAWhileGetsEverythingWhenItComesBack() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        server.shutdown();
        Kairos kairos = client(Kairos.builder("wk_test").baseUrl("http://127.0.0.1:" + port).storageDirectory(dir.resolve("down"))
                .flushAt(10).logger(KairosLogger.NONE).backoff(attempt -> Duration.ofMillis(50)));
        for (int i = 0; i < 50; i++) kairos.track("page_view", Map.of("path", "/" + i));
        await().untilAsserted(() -> assertThat(kairos.stats().persisted()).isEqualTo(50));
        assertThat(kairos.flush(Duration.ofMillis(300))).as("nothing can be delivered while the server is down").isFalse();

        Set<String> paths = Collections.synchronizedSet(new HashSet<>());
        server = new MockWebServer();
        server.setDispatcher(accepting(paths));
        server.start(port);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(paths).hasSize(50));
        assertThat(kairos.stats().queued()).isZero();
    }

    @Test
    void aDamagedQueueFileTailIsSkippedOnStart() throws Exception {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse().setResponseCode(503);
            }
        });
        Kairos first = builder().closeTimeout(Duration.ZERO).build();
        first.track("page_view", Map.of("path", "/kept"));
        await().untilAsserted(() -> assertThat(first.stats().persisted()).isEqualTo(1));
        first.close();
        Files.write(dir.resolve("kairos").resolve("events.queue"), new byte[] {0, 0, 1, 0, 9, 9}, StandardOpenOption.APPEND);

        List<String> paths = new CopyOnWriteArrayList<>();
        server.setDispatcher(accepting(paths));
        Kairos second = client(builder());
        await().untilAsserted(() -> assertThat(paths).containsExactly("/kept"));
        second.track("page_view", Map.of("path", "/new"));
        assertThat(second.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(paths).containsExactly("/kept", "/new");
    }

    @Test
    void anEventIsInTheQueueFileWhenAwaitPersistedReturnsAndKeepsTheIdTheCallerChose() throws Exception {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse().setResponseCode(503);
            }
        });
        java.util.UUID id = java.util.UUID.randomUUID();
        Kairos first = builder().closeTimeout(Duration.ZERO).build();
        first.track("custom", Map.of("name", "Application Installed", "path", "/installed"), id);
        assertThat(first.awaitPersisted(Duration.ofSeconds(5))).isTrue();
        String file = new String(Files.readAllBytes(dir.resolve("kairos").resolve("events.queue")), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(file).contains(id.toString()).contains("Application Installed");
        first.close();

        List<String> ids = new CopyOnWriteArrayList<>();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                List<JsonNode> b = batch(request);
                b.forEach(e -> ids.add(e.get("eventId").asText()));
                return new MockResponse().setBody(ok(b.size()));
            }
        });
        Kairos second = client(builder());
        await().untilAsserted(() -> assertThat(ids).containsExactly(id.toString()));
        assertThatThrownBy(() -> second.track("custom", Map.of(), (java.util.UUID) null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eventId");
    }

    @Test
    void closeDeliversWhatWasRecorded() throws Exception {
        List<String> paths = new CopyOnWriteArrayList<>();
        server.setDispatcher(accepting(paths));
        Kairos kairos = builder().inMemoryQueue().build();
        for (int i = 0; i < 7; i++) kairos.track("page_view", Map.of("path", "/" + i));
        kairos.close();
        assertThat(paths).containsExactly("/0", "/1", "/2", "/3", "/4", "/5", "/6");
        kairos.track("page_view", Map.of("path", "/late"));
        assertThat(kairos.stats().tracked()).as("calls after close are ignored").isEqualTo(7);
    }

    @Test
    void outcomesGoToTheirOwnEndpoint() throws Exception {
        server.enqueue(new MockResponse().setBody(ok(1)));
        Kairos kairos = client(builder());
        kairos.outcome("d-1", "home_banner", Outcome.CLICK);
        assertThat(kairos.flush(Duration.ofSeconds(10))).isTrue();
        RecordedRequest r = server.takeRequest();
        assertThat(r.getPath()).isEqualTo("/v1/outcomes");
        JsonNode o = batch(r).get(0);
        assertThat(o.get("type").asText()).isEqualTo("click");
        assertThat(o.get("decisionId").asText()).isEqualTo("d-1");
        assertThat(o.get("placement").asText()).isEqualTo("home_banner");
        assertThat(o.get("outcomeId").asText()).matches("[0-9a-f-]{36}");
    }

    @Test
    void builderRejectsOptionsThatDoNotFitTogether() {
        assertThatThrownBy(() -> Kairos.builder("k").build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("baseUrl");
        assertThatThrownBy(() -> Kairos.builder("k").baseUrl("http://x").flushAt(50).maxQueueSize(10).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("flushAt (50) is larger than maxQueueSize (10)");
        assertThatThrownBy(() -> Kairos.builder(" ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writeKey");
        assertThatThrownBy(() -> Kairos.builder("k").baseUrl("not a url")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Kairos.builder("k").maxBatchSize(501)).isInstanceOf(IllegalArgumentException.class);
    }
}
