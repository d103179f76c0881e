package dev.kairos.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.kafka.LocalKafka;
import dev.kairos.sdk.Decision;
import dev.kairos.sdk.Kairos;
import dev.kairos.sdk.KairosLogger;
import dev.kairos.sdk.Outcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Java SDK against the real rules server (the packaged jar, as a child process) and a real
 * Kafka broker: what the SDK tracks becomes signals that change a decision, and events tracked
 * while the server is down all arrive, each counted once, when it is back.
 */
class SdkAgainstServerTest {
    static final String WRITE_KEY = "wk_sdk_e2e";
    static final String ADMIN_KEY = "ak_sdk_e2e";
    static LocalKafka kafka;
    static Path data;
    static int port;
    static Process server;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    final HttpClient http = HTTP;

    @BeforeAll
    static void start() throws IOException {
        data = Files.createTempDirectory("kairos-sdk-e2e");
        kafka = LocalKafka.builder().dataDir(data.resolve("kafka")).heap("512m").build().start();
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        server = startServer();
    }

    /** Starts the packaged rules server (as {@code ./kairos start} does) and waits until it is healthy. */
    static Process startServer() throws IOException {
        Path jar = KairosStartTest.ROOT.resolve("rules-server/target").toFile().listFiles((d, n) ->
                n.startsWith("kairos-rules-server-") && n.endsWith(".jar"))[0].toPath();
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m"));
        command.addAll(TestJvms.JIT_FLAGS);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("server.log").toFile()));
        Map<String, String> env = pb.environment();
        env.put("KAIROS_RULES_PORT", String.valueOf(port));
        env.put("KAIROS_WRITE_KEYS", WRITE_KEY);
        env.put("KAIROS_ADMIN_KEY", ADMIN_KEY);
        env.put("KAIROS_DATA_DIR", data.resolve("server").toString());
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("KAIROS_TOPIC_PARTITIONS", "2");
        Process p = pb.start();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!p.isAlive()) throw new IllegalStateException("rules-server exited: " + Files.readString(data.resolve("server.log")));
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).body().contains("UP");
            } catch (IOException e) {
                return false;
            }
        });
        return p;
    }

    static void stopServer() throws InterruptedException {
        server.destroy(); // SIGTERM: a graceful stop, as an operator's restart would do
        if (!server.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) server.destroyForcibly().waitFor();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (server != null) stopServer();
        if (kafka != null) kafka.close();
        if (data != null) dev.kairos.kafka.SharedBroker.deleteTree(data);
    }

    Kairos client(String name) {
        return Kairos.builder(WRITE_KEY).baseUrl("http://127.0.0.1:" + port).storageDirectory(data.resolve("sdk-" + name))
                .logger(KairosLogger.NONE).flushInterval(Duration.ofMillis(200)).backoff(attempt -> Duration.ofMillis(200)).build();
    }

    JsonNode signals(String user) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/users/" + user + "/signals"))
                .header("Authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? new ObjectMapper().readTree(r.body()) : null;
    }

    @Test
    void eventsTrackedByTheSdkBecomeSignalsThatChangeTheDecision() throws Exception {
        try (Kairos kairos = client("shopper")) {
            kairos.identify("sdk-shopper", null);
            Decision before = kairos.decide(List.of("product_page"), Map.of("page", "/product/42"));
            assertThat(before.source()).isEqualTo(Decision.Source.SERVER);
            assertThat(before.forPlacement("product_page").orElseThrow().fallback()).as("nothing known yet: the default").isTrue();

            for (int i = 0; i < 5; i++) kairos.productView("p" + i, "dresses");
            kairos.addToCart("p4", 1);
            for (int i = 0; i < 3; i++) kairos.scroll(0.7 + i * 0.1, 4500);
            assertThat(kairos.flush(Duration.ofSeconds(30))).isTrue();

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                Decision d = kairos.decide(List.of("product_page"), Map.of("page", "/product/42"));
                assertThat(d.forPlacement("product_page").orElseThrow().rule())
                        .isEqualTo("High intent on a product page: 24-hour premium discount");
            });
            JsonNode s = signals("sdk-shopper");
            assertThat(s.get("events").asInt()).as("identify + 5 views + cart + 3 scrolls").isEqualTo(10);
            assertThat(s.get("signals").get("rapidScrollBursts").asInt()).isEqualTo(1);

            Decision d = kairos.decide(List.of("product_page"), Map.of("page", "/product/42"));
            kairos.outcome(d, "product_page", Outcome.CLICK);
            assertThat(kairos.flush(Duration.ofSeconds(30))).isTrue();
            assertThat(kairos.stats().rejected()).isZero();
            assertThat(kairos.stats().failed()).isZero();
        }
    }

    @Test
    void eventsTrackedWhileTheServerIsDownArriveOnceItIsBack() throws Exception {
        try (Kairos kairos = client("offline")) {
            kairos.identify("sdk-offline", null);
            assertThat(kairos.flush(Duration.ofSeconds(30))).isTrue();

            stopServer();
            for (int i = 0; i < 40; i++) kairos.track("task_created", null);
            assertThat(kairos.flush(Duration.ofSeconds(1))).as("the server is down").isFalse();
            assertThat(kairos.stats().queued()).isEqualTo(40);

            server = startServer();
            assertThat(kairos.flush(Duration.ofSeconds(60))).isTrue();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode s = signals("sdk-offline");
                assertThat(s).isNotNull();
                assertThat(s.get("signals").get("tasksCreated").asInt()).isEqualTo(40);
            });
            assertThat(signals("sdk-offline").get("events").asInt()).as("each event counted once").isEqualTo(41);
        }
    }
}
