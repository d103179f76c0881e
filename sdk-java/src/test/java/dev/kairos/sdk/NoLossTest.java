package dev.kairos.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kills an app (a child JVM) while it is delivering, starts it again on the same storage, and
 * checks that the collector got every event, each under one event id (a retried batch repeats ids;
 * the server counts each id once).
 */
class NoLossTest {
    static final int N = 400;

    @TempDir
    Path dir;
    final MockWebServer collector = new MockWebServer();
    final Map<Integer, Set<String>> idsBySeq = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();
    final List<Process> children = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Process p : children) p.destroyForcibly();
        collector.shutdown();
    }

    @Test
    void anAppKilledMidFlightDeliversEveryEventExactlyOnceAfterRestart() throws Exception {
        collector.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                List<JsonNode> batch = Collector.batch(request);
                for (JsonNode e : batch) {
                    idsBySeq.computeIfAbsent(e.get("properties").get("seq").asInt(), k -> ConcurrentHashMap.newKeySet())
                            .add(e.get("eventId").asText());
                }
                requests.incrementAndGet();
                // Slow answers, so the kill lands while batches are in flight.
                return new MockResponse().setBody(Collector.ok(batch.size())).setHeadersDelay(100, TimeUnit.MILLISECONDS);
            }
        });
        collector.start();
        String url = collector.url("/").toString();
        Path storage = dir.resolve("app");

        Process first = start("track", url, storage.toString(), String.valueOf(N));
        List<String> out = new CopyOnWriteArrayList<>();
        pump(first, out);
        await().atMost(java.time.Duration.ofSeconds(60)).until(() -> out.contains("PERSISTED " + N) && requests.get() >= 3);
        first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        int seenBeforeKill = idsBySeq.size();
        assertThat(seenBeforeKill).as("killed mid-flight, with events still queued").isLessThan(N);

        Process second = start("drain", url, storage.toString());
        List<String> out2 = new CopyOnWriteArrayList<>();
        pump(second, out2);
        assertThat(second.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).as(String.join("\n", out2)).isZero();

        Set<Integer> expected = new HashSet<>();
        for (int i = 0; i < N; i++) expected.add(i);
        assertThat(idsBySeq.keySet()).as("every event arrived").isEqualTo(expected);
        assertThat(idsBySeq.values()).as("each event under one id, so the server counts it once").allSatisfy(ids -> assertThat(ids).hasSize(1));
    }

    private Process start(String... args) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-Xmx128m", "-cp", classpath, ChildApp.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        children.add(p);
        return p;
    }

    private static void pump(Process p, List<String> lines) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) lines.add(line);
            } catch (IOException ignored) {
                // the process went away
            }
        });
        t.setDaemon(true);
        t.start();
    }
}
