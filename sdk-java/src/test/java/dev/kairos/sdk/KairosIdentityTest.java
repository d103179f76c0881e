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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class KairosIdentityTest {
    @TempDir
    Path dir;
    MockWebServer server;
    final List<JsonNode> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                List<JsonNode> b = Collector.batch(request);
                received.addAll(b);
                return new MockResponse().setBody(Collector.ok(b.size()));
            }
        });
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    Kairos client(Duration sessionTimeout) {
        return Kairos.builder("wk").baseUrl(server.url("/").toString()).storageDirectory(dir).logger(KairosLogger.NONE)
                .sessionTimeout(sessionTimeout).build();
    }

    @Test
    void identifyStampsLaterEventsAndSurvivesARestart() {
        String anonymous;
        try (Kairos k = client(Duration.ofMinutes(30))) {
            anonymous = k.anonymousId();
            k.track("page_view", Map.of("path", "/before"));
            k.identify("u-7", Map.of("plan", "gold"));
            k.track("page_view", Map.of("path", "/after"));
            assertThat(k.flush(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(received).hasSize(3);
        assertThat(received.get(0).has("userId")).isFalse();
        assertThat(received.get(1).get("type").asText()).isEqualTo("identify");
        assertThat(received.get(1).get("userId").asText()).isEqualTo("u-7");
        assertThat(received.get(1).get("anonymousId").asText()).isEqualTo(anonymous);
        assertThat(received.get(1).get("properties").get("plan").asText()).isEqualTo("gold");
        assertThat(received.get(2).get("userId").asText()).isEqualTo("u-7");

        try (Kairos k = client(Duration.ofMinutes(30))) {
            assertThat(k.userId()).isEqualTo("u-7");
            assertThat(k.anonymousId()).isEqualTo(anonymous);
            k.reset();
            assertThat(k.userId()).isNull();
            assertThat(k.anonymousId()).isNotEqualTo(anonymous);
            k.track("page_view", Map.of("path", "/logged-out"));
            assertThat(k.flush(Duration.ofSeconds(10))).isTrue();
        }
        JsonNode last = received.get(received.size() - 1);
        assertThat(last.has("userId")).isFalse();
        assertThat(last.get("anonymousId").asText()).isNotEqualTo(anonymous);
    }

    @Test
    void aliasLinksAPreviousAnonymousIdToTheUser() {
        try (Kairos k = client(Duration.ofMinutes(30))) {
            k.alias("web-anon-1");
            k.identify("u-9", null);
            k.alias("web-anon-1");
            assertThat(k.flush(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(received).hasSize(2);
        JsonNode alias = received.get(1);
        assertThat(alias.get("type").asText()).isEqualTo("identify");
        assertThat(alias.get("userId").asText()).isEqualTo("u-9");
        assertThat(alias.get("anonymousId").asText()).isEqualTo("web-anon-1");
    }

    @Test
    void aNewSessionStartsAfterTheInactivityTimeout() throws Exception {
        try (Kairos k = client(Duration.ofMillis(200))) {
            k.track("page_view", Map.of("path", "/1"));
            k.track("page_view", Map.of("path", "/2"));
            Thread.sleep(400);
            k.track("page_view", Map.of("path", "/3"));
            assertThat(k.flush(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(received.get(0).get("sessionId").asText()).isEqualTo(received.get(1).get("sessionId").asText());
        assertThat(received.get(2).get("sessionId").asText()).isNotEqualTo(received.get(1).get("sessionId").asText());
    }
}
