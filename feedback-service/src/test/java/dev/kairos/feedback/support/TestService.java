package dev.kairos.feedback.support;

import dev.kairos.feedback.store.FeedbackStore;
import dev.kairos.kafka.SharedBroker;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Starts a real feedback service (Netty, random port) against the shared real broker, on topics of
 * its own (a namespace), with the embedded H2 file store in a data folder or another JDBC URL.
 * {@link #restart} reuses folder, namespace and database.
 */
public final class TestService implements AutoCloseable {
    public static final String ADMIN_KEY = "ak_test_admin";

    public final EmbeddedServer server;
    public final Http http;
    public final Path dataDir;
    public final String namespace;
    private final Map<String, Object> props;

    private TestService(Path dataDir, String namespace, Map<String, Object> extra) {
        this.dataDir = dataDir;
        this.namespace = namespace;
        Map<String, Object> p = new HashMap<>();
        p.put("micronaut.server.port", -1);
        p.put("kairos.admin-key", ADMIN_KEY);
        p.put("kairos.data-dir", dataDir.toString());
        p.put("kafka.bootstrap.servers", SharedBroker.bootstrapServers());
        p.put("kairos.topics.decisions", namespace + ".decisions");
        p.put("kairos.topics.outcomes", namespace + ".outcomes");
        p.put("kairos.topics.weights", namespace + ".weights");
        p.put("kairos.topics.triggers-dead", namespace + ".triggers.dead");
        p.put("kairos.topics.bandit", namespace + ".bandit");
        p.put("kairos.topics.partitions", 3);
        p.put("kairos.feedback.group-id", namespace + "-feedback");
        p.putAll(extra);
        this.props = Map.copyOf(p);
        this.server = ApplicationContext.run(EmbeddedServer.class, props);
        this.http = new Http(server.getURI());
    }

    /** A service on a new data folder and namespace, with the default (H2 file) store. */
    public static TestService start() {
        return start(Map.of());
    }

    /** A service on a new data folder and namespace, with {@code extra} settings. */
    public static TestService start(Map<String, Object> extra) {
        try {
            Path dir = Files.createTempDirectory("kairos-feedback-test");
            DATA_DIRS.add(dir);
            return new TestService(dir, "f" + UUID.randomUUID().toString().substring(0, 8), extra);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Data folders of this JVM's services: kept while it runs (a test may restart a service on one), deleted at exit. */
    private static final java.util.List<Path> DATA_DIRS = new java.util.concurrent.CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> DATA_DIRS.forEach(SharedBroker::deleteTree), "test-data-cleanup"));
    }

    /** Stops this service and starts another on the same folder, topics and database, with {@code extra} on top. */
    public TestService restart(Map<String, Object> extra) {
        close();
        Map<String, Object> p = new HashMap<>(props);
        p.putAll(extra);
        return new TestService(dataDir, namespace, p);
    }

    public FeedbackStore store() {
        return server.getApplicationContext().getBean(FeedbackStore.class);
    }

    /** Sends {@code json} records to one of this service's topics ({@code decisions}, {@code outcomes}, {@code weights}). */
    public void send(String topic, String key, String... json) {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedBroker.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (String j : json) p.send(new ProducerRecord<>(namespace + "." + topic, key, j));
            p.flush();
        }
    }

    @Override
    public void close() {
        if (server.getApplicationContext().isRunning()) server.getApplicationContext().close();
    }
}
