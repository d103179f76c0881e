package dev.kairos.e2e.fault;

import dev.kairos.e2e.TestJvms;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code ./kairos start} under faults: the broker JVM killed (the launcher restarts it, the servers
 * stay up and decide keeps answering), then the launcher itself killed with {@code kill -9}
 * (every process it started ends by itself, so the next start on the same folder works).
 */
@Tag("fault")
class LauncherFaultsTest {
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void theLauncherRestartsADeadBrokerAndLeavesNoOrphanWhenKilled(@TempDir Path data) throws Exception {
        int rulesPort = Platform.freePort(), feedbackPort = Platform.freePort(), kafkaPort = Platform.freePort(), controllerPort = Platform.freePort();
        Process kairos = start(data, rulesPort, feedbackPort, kafkaPort, controllerPort, "first.log");
        long rulesPid = pid(data, "rules-server");
        try {
            String writeKey = writeKey(data);
            long broker = pid(data, "broker");
            ProcessHandle.of(broker).orElseThrow().destroyForcibly();

            // The servers stay up: decide answers from local state while the launcher restarts the broker.
            await().atMost(Duration.ofSeconds(10)).until(() -> !listening(kafkaPort));
            assertThat(decide(rulesPort, writeKey).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Files.readString(data.resolve("first.log")).contains("Kafka exited") && listening(kafkaPort) && pid(data, "broker") != broker);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> status(rulesPort, "/health") == 200);
            assertThat(pid(data, "rules-server")).as("rules-server was not restarted").isEqualTo(rulesPid);
            assertThat(ProcessHandle.of(rulesPid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
            assertThat(decide(rulesPort, writeKey).statusCode()).isEqualTo(200);

            // kill -9 the launcher: nothing it started may survive it.
            kairos.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long killed = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> !listening(rulesPort) && !listening(feedbackPort) && !listening(kafkaPort));
            long portsFree = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                    assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(data.toString())))
                            .as("no process of this data folder is left").isEmpty());
            Platform.report("kill -9 of ./kairos start", "its ports were free after " + portsFree + " ms, every process it started had ended after "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed) + " ms");
        } finally {
            kairos.destroyForcibly();
        }

        // The next start on the same folder works (no port in use, no stale lock).
        Process again = start(data, rulesPort, feedbackPort, kafkaPort, controllerPort, "second.log");
        try {
            assertThat(decide(rulesPort, writeKey(data)).statusCode()).isEqualTo(200);
        } finally {
            again.destroy();
            assertThat(again.waitFor(90, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.readString(data.resolve("second.log"))).contains("kairos: stopped");
    }

    private Process start(Path data, int rulesPort, int feedbackPort, int kafkaPort, int controllerPort, String logName) throws Exception {
        Path log = data.resolve(logName);
        ProcessBuilder pb = new ProcessBuilder(Platform.ROOT.resolve("kairos").toString(), "start")
                .directory(Platform.ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("KAIROS_WRITE_KEYS");
        pb.environment().remove("KAIROS_ADMIN_KEY");
        pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
        pb.environment().put("KAIROS_DATA_DIR", data.toString());
        pb.environment().put("KAIROS_RULES_PORT", String.valueOf(rulesPort));
        pb.environment().put("KAIROS_FEEDBACK_PORT", String.valueOf(feedbackPort));
        pb.environment().put("KAIROS_KAFKA_PORT", String.valueOf(kafkaPort));
        pb.environment().put("KAIROS_KAFKA_CONTROLLER_PORT", String.valueOf(controllerPort));
        pb.environment().put("KAIROS_SKIP_BUILD", "1");
        pb.environment().put("KAIROS_JAVA_OPTS", "-Xmx256m " + TestJvms.jitOptions()); // as Platform.SERVICE_JVM_FLAGS
        pb.environment().put("KAIROS_KAFKA_JAVA_OPTS", TestJvms.jitOptions());
        Process p = pb.start();
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500))
                .until(() -> !p.isAlive() || Files.readString(log).contains("Kairos is running"));
        assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
        return p;
    }

    private static long pid(Path data, String name) throws IOException {
        return Long.parseLong(Files.readString(data.resolve("run").resolve(name + ".pid")).strip());
    }

    private static String writeKey(Path data) throws IOException {
        Properties keys = new Properties();
        keys.load(Files.newBufferedReader(data.resolve("keys.env"), StandardCharsets.UTF_8));
        return keys.getProperty("KAIROS_WRITE_KEYS");
    }

    private HttpResponse<String> decide(int port, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/decide")).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\": \"u1\", \"placements\": [\"home_banner\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int status(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
