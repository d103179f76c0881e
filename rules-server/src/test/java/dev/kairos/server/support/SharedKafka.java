package dev.kairos.server.support;

import dev.kairos.kafka.LocalKafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * One real Kafka broker (KRaft, child JVM) for the whole test run, started on first use and
 * stopped when the test JVM exits, after every test has closed its application context (clients
 * closed after the broker would hang on shutdown).
 */
public final class SharedKafka {
    private static LocalKafka kafka;

    private SharedKafka() {}

    public static synchronized String bootstrapServers() {
        if (kafka == null) {
            try {
                kafka = LocalKafka.builder().dataDir(Files.createTempDirectory("kairos-test-kafka")).heap("512m").build().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "test-kafka-stop"));
        }
        return kafka.bootstrapServers();
    }
}
