package dev.kairos.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

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
        LocalKafka kafka = LocalKafka.builder().dataDir(dir).heap("256m").build();
        try {
            kafka.start();
            assertThat(kafka.isRunning()).isTrue();
            assertThat(accepts(kafka.port())).isTrue();
            String meta = Files.readString(dir.resolve("logs/meta.properties"));
            kafka.close();
            assertThat(kafka.isRunning()).isFalse();
            assertThat(accepts(kafka.port())).isFalse();

            kafka.start();
            assertThat(Files.readString(dir.resolve("logs/meta.properties"))).as("formatted once").isEqualTo(meta);
            assertThat(accepts(kafka.port())).isTrue();
        } finally {
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
                assertThat(wrapper.isAlive()).as(Files.readString(dir.resolve("wrapper.log"))).isTrue();
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
    void rejectsConflictingOptions() {
        assertThrows(IllegalArgumentException.class, () -> LocalKafka.builder().build());
        assertThrows(IllegalArgumentException.class, () -> LocalKafka.builder().dataDir(Path.of("x")).port(9092).controllerPort(9092).build());
        assertThrows(IllegalArgumentException.class, () -> LocalKafka.builder().heap("lots"));
    }

    @Test
    void aMissingBrokerLibraryIsAClearError(@TempDir Path dir) {
        LocalKafka kafka = LocalKafka.builder().dataDir(dir).libDir(dir.resolve("nothing")).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, kafka::start);
        assertThat(e.getMessage()).contains("Kafka broker jars not found");
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
