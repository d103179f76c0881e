package dev.kairos.server.support;

import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.context.ApplicationContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts a real rules server (Netty, random port) on a data folder, against the shared real Kafka
 * broker, with topics and a Kafka Streams application id of its own (derived from the data
 * folder, so a restart on the same folder finds its state again).
 */
public final class TestServer implements AutoCloseable {
    public static final String WRITE_KEY = "wk_test_app";
    public static final String ADMIN_KEY = "ak_test_admin";

    public final EmbeddedServer server;
    public final Http http;
    public final Path dataDir;
    /** Prefix of this server's topics and Kafka Streams application id: a restart reuses it. */
    public final String namespace;

    private TestServer(Path dataDir, String namespace, Map<String, Object> extra) {
        this(dataDir, namespace, extra, new String[0]);
    }

    private TestServer(Path dataDir, String namespace, Map<String, Object> extra, String[] environments) {
        this.dataDir = dataDir;
        this.namespace = namespace;
        Map<String, Object> props = new java.util.HashMap<>(Map.of(
                "micronaut.server.port", -1,
                "kairos.write-keys", WRITE_KEY + ",wk_other_app",
                "kairos.admin-key", ADMIN_KEY,
                "kairos.data-dir", dataDir.toString(),
                "kafka.bootstrap.servers", SharedKafka.bootstrapServers(),
                "kafka.streams.default.application.id", namespace + "-signals",
                "kairos.topics.events", namespace + ".events",
                "kairos.topics.outcomes", namespace + ".outcomes",
                "kairos.topics.signals", namespace + ".signals",
                "kairos.topics.partitions", 3));
        props.put("kairos.topics.decisions", namespace + ".decisions");
        props.put("kairos.topics.weights", namespace + ".weights");
        props.put("kairos.topics.experiments", namespace + ".experiments");
        props.put("kairos.topics.rules", namespace + ".rules");
        props.put("kairos.topics.bandit", namespace + ".bandit");
        // no feedback service next to a test server: its base layer reads a feed only when a test configures one
        props.put("kairos.base.popular.enabled", false);
        // Tests assert what the rules answer, not how fast: a cold server on a busy CI machine can miss
        // the 50 ms production deadline and answer with the built-in fallback.
        // DeadlineTest sets the deadline it tests.
        props.put("kairos.decide.deadline", "2s");
        // Likewise an instance asking another for a user's signals (partitioned mode): 50 ms in production.
        props.put("kairos.signals.remote-timeout", "1s");
        props.putAll(extra);
        this.server = environments.length == 0 ? ApplicationContext.run(EmbeddedServer.class, props)
                : ApplicationContext.builder().properties(props).environments(environments).run(EmbeddedServer.class);
        this.http = new Http(server.getURI());
    }

    public static TestServer start() {
        return start(newDataDir(), Map.of());
    }

    public static TestServer start(Path dataDir, Map<String, Object> extra) {
        return new TestServer(dataDir, "t" + Integer.toHexString(dataDir.toString().hashCode()), extra);
    }

    /**
     * Another instance of the same deployment as {@code other}: its own data folder and port, the
     * same topics and signal-engine application id (so the two share Kafka state like two
     * instances behind a load balancer).
     */
    public static TestServer peer(TestServer other, Map<String, Object> extra) {
        return new TestServer(newDataDir(), other.namespace, extra);
    }

    /** {@link #peer}, in the given Micronaut environments as well (e.g. {@code ingest}: KAIROS_ROLE=ingest). */
    public static TestServer peer(TestServer other, Map<String, Object> extra, String... environments) {
        return new TestServer(newDataDir(), other.namespace, extra, environments);
    }

    /** Data folders of this JVM's test servers: kept while it runs (a test may restart a server on one), deleted at exit. */
    private static final java.util.List<Path> DATA_DIRS = new java.util.concurrent.CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> DATA_DIRS.forEach(dev.kairos.kafka.SharedBroker::deleteTree), "test-data-cleanup"));
    }

    public static Path newDataDir() {
        try {
            Path dir = Files.createTempDirectory("kairos-test-data");
            DATA_DIRS.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.getApplicationContext().close();
    }
}
