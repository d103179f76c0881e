package dev.kairos.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * One real broker per JVM for test suites: started on first use (data in a fresh temporary folder,
 * free ports), stopped when the JVM exits and its folder deleted, after the tests have closed their clients (clients
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
            java.nio.file.Path dir;
            try {
                dir = Files.createTempDirectory("kairos-test-kafka");
                kafka = LocalKafka.builder().dataDir(dir).heap("512m").build().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            LocalKafka started = kafka;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                deleteTree(dir);
            }, "test-kafka-stop"));
        }
        return kafka.bootstrapServers();
    }

    /** Deletes a folder and what it holds, as far as it can: test suites should not leave their data behind. */
    public static void deleteTree(java.nio.file.Path dir) {
        if (!Files.exists(dir)) return;
        try (java.util.stream.Stream<java.nio.file.Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a folder left behind in the temporary directory, nothing worse
        }
    }
}
