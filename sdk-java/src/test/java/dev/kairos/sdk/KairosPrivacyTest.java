package dev.kairos.sdk;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A user who says no: nothing collected, nothing queued, no identity sent, across restarts. */
class KairosPrivacyTest {
    @TempDir
    Path dir;
    FakeServer server;

    @BeforeEach
    void start() throws IOException {
        server = new FakeServer();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    Kairos client(String url) {
        return Kairos.builder("wk").baseUrl(url).storageDirectory(dir).logger(KairosLogger.NONE)
                .decideTimeout(Duration.ofSeconds(2)).flushAt(1000)
                .defaultAdaptation(Adaptation.builder("home_banner").contentId("house-ad").build())
                .build();
    }

    @Test
    void optingOutClearsTheQueueOnDiskStopsCollectionAndDecidesWithoutIdentity() throws Exception {
        try (Kairos k = client(server.url())) {
            k.identify("A", null);
            k.decide(List.of("home_banner"), null);
            for (int i = 0; i < 50; i++) k.track("page_view", Map.of("path", "/" + i));
            assertThat(k.awaitPersisted(Duration.ofSeconds(5))).isTrue();
            assertThat(Files.size(dir.resolve("events.queue"))).as("queued on disk").isGreaterThan(1000);
            k.cacheIdleForTests(); // the cache file is written in the background, a second after the answer
            assertThat(Files.exists(dir.resolve("decisions.json"))).isTrue();

            k.optOut();
            assertThat(k.isOptedOut()).isTrue();
            k.track("page_view", Map.of("path", "/after"));
            k.click("buy");
            assertThat(k.awaitPersisted(Duration.ofSeconds(5))).isTrue();
            assertThat(k.stats().queued()).isZero();
            assertThat(Files.size(dir.resolve("events.queue"))).as("nothing left in the file").isLessThanOrEqualTo(16);
            assertThat(Files.readString(dir.resolve("events.queue"), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("page_view");

            int decidesBefore = server.decides.size();
            Decision d = k.decide(List.of("home_banner"), null);
            assertThat(d.source()).isEqualTo(Decision.Source.DEFAULT);
            assertThat(d.forPlacement("home_banner").orElseThrow().contentId()).isEqualTo("house-ad");
            assertThat(k.decideAsync(List.of("home_banner"), null).get().source()).isEqualTo(Decision.Source.DEFAULT);
            assertThat(server.decides).as("no request, so no identity, leaves the device").hasSize(decidesBefore);
            k.cacheIdleForTests();
            assertThat(Files.exists(dir.resolve("decisions.json"))).as("cached decisions deleted").isFalse();
            assertThat(k.flush(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(server.events).isEmpty();

        // The choice survives a restart, and holds from the very first call.
        try (Kairos k = client(server.url())) {
            k.track("page_view", Map.of("path", "/restarted"));
            assertThat(k.isOptedOut()).isTrue();
            assertThat(k.decide(List.of("home_banner"), null).source()).isEqualTo(Decision.Source.DEFAULT);
            assertThat(k.flush(Duration.ofSeconds(5))).isTrue();
            assertThat(server.events).isEmpty();

            k.optIn();
            k.track("page_view", Map.of("path", "/back"));
            assertThat(k.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(server.events).hasSize(1);
            assertThat(server.events.get(0).get("properties").get("path").asText()).isEqualTo("/back");
            assertThat(k.decide(List.of("home_banner"), null).source()).isEqualTo(Decision.Source.SERVER);
        }
        try (Kairos k = client(server.url())) {
            assertThat(k.isOptedOut()).as("opt-in saved too").isFalse();
        }
    }

    @Test
    void optingOutDropsABatchThatIsStuckRetrying() throws Exception {
        // Nothing listens here: the batch stays queued, retrying.
        try (Kairos k = Kairos.builder("wk").baseUrl("http://127.0.0.1:9").storageDirectory(dir).logger(KairosLogger.NONE)
                .flushAt(1).backoff(Backoff.exponential(Duration.ofMillis(50), Duration.ofMillis(200))).closeTimeout(Duration.ZERO).build()) {
            for (int i = 0; i < 5; i++) k.track("page_view", Map.of("path", "/" + i));
            assertThat(k.awaitPersisted(Duration.ofSeconds(5))).isTrue();
            Thread.sleep(300); // a batch is in flight or waiting to be retried
            k.optOut();
            assertThat(k.awaitPersisted(Duration.ofSeconds(5))).isTrue();
            assertThat(k.stats().queued()).isZero();
        }
        try (Kairos k = client(server.url())) {
            assertThat(k.isOptedOut()).isTrue();
            k.optIn();
            assertThat(k.flush(Duration.ofSeconds(5))).isTrue();
            assertThat(server.events).as("nothing from before the opt-out is sent, even after opting in again").isEmpty();
        }
    }
}
