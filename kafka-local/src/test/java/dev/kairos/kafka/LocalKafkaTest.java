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
