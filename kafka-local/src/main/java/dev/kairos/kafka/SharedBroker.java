package dev.kairos.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * One real broker per JVM for test suites: started on first use (data in a fresh temporary folder,
 * free ports), stopped when the JVM exits, after the tests have closed their clients (clients
 * closed after the broker would hang on shutdown). The broker jars come from {@code kairos.kafka.lib},
 * which each module's surefire configuration points at {@code kafka-local/target/broker-lib}.
 *
 * <pre>String bootstrap = SharedBroker.bootstrapServers();</pre>
 * Thread-safe.
 */
public final class SharedBroker {
    private static LocalKafka kafka;

    private SharedBroker() {}

    /** {@code host:port} of the shared broker, starting it on the first call. */
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
