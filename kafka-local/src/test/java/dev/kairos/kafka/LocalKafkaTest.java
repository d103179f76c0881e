package dev.kairos.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LocalKafkaTest {
    @Test
    void clusterIdsNeverStartWithADashThatTheStorageToolWouldTakeForAnOption() {
        // About one random id in 64 would start with '-'; formatting then failed.
        for (int i = 0; i < 5_000; i++) {
            assertThat(LocalKafka.clusterId()).doesNotStartWith("-").hasSize(22);
        }
    }

    @Test
    void startsServesAndStopsABrokerAndKeepsItsStorageAcrossRestarts(@TempDir Path dir) throws Exception {
        LocalKafka kafka = LocalKafka.builder().dataDir(dir).heap("256m")
                .brokerProperty("log.cleaner.backoff.ms", "500").brokerProperty("log.retention.hours", "24").build();
        System.setProperty("kairos.kafka.java-options", " -Dkairos.test.marker=" + dir.getFileName() + "  -XX:TieredStopAtLevel=1 ");
        try {
            kafka.start();
            System.clearProperty("kairos.kafka.java-options");
            assertThat(kafka.isRunning()).isTrue();
            List<String> brokerArgs = ProcessHandle.current().descendants()
                    .map(h -> h.info().arguments().map(List::of).orElse(List.of()))
                    .filter(a -> a.contains("-Dkairos.test.marker=" + dir.getFileName())).findFirst().orElse(List.of());
            assertThat(brokerArgs).as("the broker JVM got the extra options, after its own heap").contains("-XX:TieredStopAtLevel=1")
                    .containsSubsequence("-Xmx256m", "-XX:TieredStopAtLevel=1");
            java.util.Properties props = new java.util.Properties();
            try (var in = Files.newBufferedReader(dir.resolve("server.properties"))) {
                props.load(in);
            }
            assertThat(props).as("an added setting, and one replacing a default").containsEntry("log.cleaner.backoff.ms", "500")
                    .containsEntry("log.retention.hours", "24").containsEntry("num.partitions", "3")
                    .as("the cleaner's map fits the heap").containsEntry("log.cleaner.dedupe.buffer.size", String.valueOf(32 << 20));
            assertThat(accepts(kafka.port())).isTrue();
            String meta = Files.readString(dir.resolve("logs/meta.properties"));
            kafka.close();
            assertThat(kafka.isRunning()).isFalse();
            assertThat(accepts(kafka.port())).isFalse();

            kafka.start();
            assertThat(Files.readString(dir.resolve("logs/meta.properties"))).as("formatted once").isEqualTo(meta);
            assertThat(accepts(kafka.port())).isTrue();
        } finally {
            System.clearProperty("kairos.kafka.java-options");
            kafka.close();
        }
    }

    @Test
    void aBrokerEndsWithTheJvmThatStartedItEvenAfterKillMinus9(@TempDir Path dir) throws Exception {
        // The launcher's wrapper JVM (java -jar kairos-kafka-local.jar) starts the broker JVM; kill -9 the wrapper.
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process wrapper = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dkairos.kafka.lib=" + System.getProperty("kairos.kafka.lib"), LocalKafka.class.getName(),
                "--data", dir.toString(), "--port", String.valueOf(port), "--heap", "256m")
                .redirectErrorStream(true).redirectOutput(dir.resolve("wrapper.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + 90_000_000_000L;
            while (!Files.readString(dir.resolve("wrapper.log")).contains("kafka ready") && System.nanoTime() < deadline) {
                assertThat(wrapper.isAlive()).as("%s%nbroker.log ends:%n%s", Files.readString(dir.resolve("wrapper.log")), tail(dir.resolve("broker.log"))).isTrue();
                Thread.sleep(200);
            }
            assertThat(accepts(port)).isTrue();
            java.util.List<ProcessHandle> broker = wrapper.toHandle().children().toList();
            assertThat(broker).hasSize(1);

            wrapper.destroyForcibly().waitFor();

            deadline = System.nanoTime() + 60_000_000_000L;
            while ((broker.get(0).isAlive() || accepts(port)) && System.nanoTime() < deadline) Thread.sleep(200);
            assertThat(broker.get(0).isAlive()).as("the broker JVM stopped by itself").isFalse();
            assertThat(accepts(port)).as("its port is free for the next start").isFalse();
        } finally {
            wrapper.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            wrapper.destroyForcibly();
        }
    }

    @Test
    void aFailedStartSaysWhyWithTheErrorsCauseNotItsStackFrames(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("broker.log");
        String earlier = "[2026-12-07 07:00:00,000] ERROR an earlier start failed (kafka.server.KafkaRaftServer)\n";
        Files.writeString(log, earlier + String.join("\n",
                "[2026-12-07 07:01:00,000] INFO starting (kafka.server.KafkaRaftServer)",
                "[2026-12-07 07:01:01,000] ERROR Error starting LogManager (kafka.log.LogManager)",
                "org.apache.kafka.common.KafkaException: Failed to load logs in /data/logs",
                "\tat kafka.log.LogManager.loadLogs(LogManager.scala:400)",
                "\tat kafka.log.LogManager.startup(LogManager.scala:500)",
                "Caused by: java.nio.file.AccessDeniedException: /data/logs/x-0",
                "\tat java.base/sun.nio.fs.UnixException.translateToIOException(UnixException.java:90)",
                "\t... 12 more",
                "[2026-12-07 07:01:02,000] INFO shutting down (kafka.server.KafkaRaftServer)",
                ""));
        assertThat(LocalKafka.why(log, earlier.length())).isEqualTo(": [2026-12-07 07:01:01,000] ERROR Error starting LogManager (kafka.log.LogManager)"
                + " / org.apache.kafka.common.KafkaException: Failed to load logs in /data/logs"
                + " / Caused by: java.nio.file.AccessDeniedException: /data/logs/x-0");
        assertThat(LocalKafka.why(log, Files.size(log))).as("nothing since the start").isEmpty();
        assertThat(LocalKafka.why(dir.resolve("missing.log"), 0)).isEmpty();
    }

    @Test
    void theLogCleanersMapIsAnEighthOfTheHeapAtMostKafkasDefault() {
        assertThat(LocalKafka.dedupeBufferBytes("256m")).isEqualTo(32L << 20);
        assertThat(LocalKafka.dedupeBufferBytes("384M")).isEqualTo(48L << 20);
        assertThat(LocalKafka.dedupeBufferBytes("2g")).isEqualTo(128L << 20);
        assertThat(LocalKafka.dedupeBufferBytes("65536k")).isEqualTo(8L << 20);
    }

    @Test
    void rejectsConflictingOptions() {
        assertThrows(IllegalArgumentException.class, () -> LocalKafka.builder().build());
        assertThrows(IllegalArgumentException.class, () -> LocalKafka.builder().dataDir(Path.of("x")).port(9092).controllerPort(9092).build());
        assertThrows(IllegalArgumentException.class, () -> LocalKafka.builder().heap("lots"));
        assertThrows(IllegalArgumentException.class, () -> LocalKafka.builder().brokerProperty("log.dirs\nx", "y"));
        assertThrows(IllegalArgumentException.class, () -> LocalKafka.builder().brokerProperty("log.cleaner.backoff.ms", "500\nlog.dirs=/"));
        assertThrows(IllegalArgumentException.class, () -> LocalKafka.builder().brokerProperty("log.cleaner.backoff.ms", " "));
    }

    @Test
    void aMissingBrokerLibraryIsAClearError(@TempDir Path dir) {
        LocalKafka kafka = LocalKafka.builder().dataDir(dir).libDir(dir.resolve("nothing")).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, kafka::start);
        assertThat(e.getMessage()).contains("Kafka broker jars not found");
    }

    /** The last 40 lines of a log, or what kept it from being read. */
    static String tail(Path log) {
        try {
            java.util.List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
