package dev.kairos.e2e.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.e2e.TestJvms;
import dev.kairos.kafka.LocalKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The real platform for fault tests, each part its own JVM: a Kafka broker ({@link LocalKafka}),
 * the packaged rules-server and feedback-service jars, on free ports and one data folder. Parts
 * can be killed ({@code kill -9}), stopped ({@code SIGTERM}) and started again; helpers count what
 * reached the topics and the feedback store.
 */
final class Platform implements AutoCloseable {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String VERSION = "0.1.0-SNAPSHOT";
    static final String WRITE_KEY = "wk_fault_app";
    static final String ADMIN_KEY = "ak_fault_admin";
    static final ObjectMapper JSON = new ObjectMapper();

    final Path data;
    final LocalKafka kafka;
    final int rulesPort = freePort();
    final int feedbackPort = freePort();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Process rules;
    Process feedback;

    Platform(Path data) {
        this.data = data;
        // The log cleaner looks for work every 500 ms instead of 15 s, so a test waiting for compaction (ErasureTest)
        // waits seconds; set from the start: changing it on a running broker restarts the cleaner's threads.
        this.kafka = LocalKafka.builder().dataDir(data.resolve("kafka")).heap("384m")
                .brokerProperty("log.cleaner.backoff.ms", "500").build().start();
    }

    /** The broker's warnings and errors, the last {@code max} of them (its log is kept at WARN), for a failure's message. */
    String brokerWarnings(int max) {
        try {
            List<String> lines = Files.readAllLines(kafka.dataDir().resolve("broker.log")).stream()
                    .filter(l -> l.contains("] WARN ") || l.contains("] ERROR ") || l.contains("Exception") || l.contains("Error:")).toList();
            return "broker warnings: " + String.join("\n", lines.subList(Math.max(0, lines.size() - max), lines.size()));
        } catch (IOException e) {
            return "broker.log unreadable: " + e;
        }
    }

    // --- processes ---------------------------------------------------------------------------

    Platform startRules() {
        return startRules(Map.of());
    }

    /** Starts rules-server with {@code env} added to the platform's (e.g. {@code KAIROS_ROLE}), and waits until it is healthy. */
    Platform startRules(Map<String, String> env) {
        rules = start("rules-server", rulesServerJar(), rulesPort, env);
        awaitHealthy(rulesPort, rules);
        return this;
    }

    /** Starts rules-server with {@code env} added to the platform's, without waiting for it to be healthy. */
    Platform launchRules(Map<String, String> env) {
        rules = start("rules-server", rulesServerJar(), rulesPort, env);
        return this;
    }

    /** The packaged rules server. */
    static Path rulesServerJar() {
        return ROOT.resolve("rules-server/target/kairos-rules-server-" + VERSION + ".jar");
    }

    Platform startFeedback() {
        feedback = start("feedback-service", ROOT.resolve("feedback-service/target/kairos-feedback-service-" + VERSION + ".jar"), feedbackPort,
                Map.of("KAIROS_RECALIBRATION_ENABLED", "false"));
        awaitHealthy(feedbackPort, feedback);
        return this;
    }

    private Process start(String name, Path jar, int port, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("KAIROS_DATA_DIR", data.toString());
        env.put("KAIROS_RULES_PORT", String.valueOf(rulesPort));
        env.put("KAIROS_FEEDBACK_PORT", String.valueOf(feedbackPort));
        env.putAll(extra);
        return startJvm(data.resolve(name + ".log"), jar, env);
    }

    /** The flags of every service JVM a test starts: a small heap, the serial collector, and the tests' JIT flags ({@link TestJvms}). */
    static final List<String> SERVICE_JVM_FLAGS = java.util.stream.Stream.concat(
            java.util.stream.Stream.of("-Xmx256m", "-XX:+UseSerialGC"), TestJvms.JIT_FLAGS.stream()).toList();

    /**
     * Starts a packaged service jar as its own JVM ({@link #SERVICE_JVM_FLAGS}) with the test keys, 3 topic
     * partitions, this JVM as its parent, and {@code env}; output appended to {@code log}.
     */
    static Process startJvm(Path log, Path jar, Map<String, String> env) {
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of(java));
            cmd.addAll(SERVICE_JVM_FLAGS);
            cmd.addAll(List.of("-jar", jar.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> e = pb.environment();
            e.put("KAIROS_WRITE_KEYS", WRITE_KEY);
            e.put("KAIROS_ADMIN_KEY", ADMIN_KEY);
            e.put("KAIROS_TOPIC_PARTITIONS", "3");
            e.put("KAIROS_PARENT_PID", String.valueOf(ProcessHandle.current().pid()));
            e.putAll(env);
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitHealthy(int port, Process p) {
        awaitHealthy(port, p, data);
    }

    /** Waits until {@code p} answers {@code /health} with 200 on {@code port} (120 s at most). */
    static void awaitHealthy(int port, Process p, Path logs) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException("exited with " + p.exitValue() + "; see " + logs);
            try {
                if (get(port, "/health", null).statusCode() == 200) return;
            } catch (UncheckedIOException notYet) {
                // starting
            }
            sleep(250);
        }
        throw new IllegalStateException("not healthy within 120 s; see " + logs);
    }

    /** kill -9. */
    static void kill(Process p) {
        p.destroyForcibly();
        waitFor(p);
    }

    /** SIGTERM, and wait for the process to exit; returns its exit code. */
    static int terminate(Process p) {
        p.destroy();
        return waitFor(p);
    }

    private static int waitFor(Process p) {
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IllegalStateException("did not exit within 60 s");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // --- HTTP --------------------------------------------------------------------------------

    static HttpResponse<String> post(int port, String path, String key, String body) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static HttpResponse<String> postText(int port, String path, String key, String body) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static HttpResponse<String> get(int port, String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return send(b.GET().build());
    }

    private static HttpResponse<String> send(HttpRequest r) {
        try {
            return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Posts a decide request; the decision id when answered 200, null for any other answer (no exception). */
    String decide(String user) {
        JsonNode answer = decideAnswer(user);
        return answer == null ? null : answer.get("decisionId").asText();
    }

    /** The whole decide answer for {@code user}, or null when it was not a 200 (never a 5xx). */
    JsonNode decideAnswer(String user) {
        HttpResponse<String> r = post(rulesPort, "/v1/decide", WRITE_KEY, """
                {"userId": "%s", "placements": ["home_banner", "product_page"],
                 "context": {"location": {"placeType": "restaurant"}, "timezone": "Europe/Berlin", "timestamp": "2026-11-23T18:30:00Z"}}"""
                .formatted(user));
        if (r.statusCode() >= 500) throw new AssertionError("decide answered " + r.statusCode() + ": " + r.body());
        if (r.statusCode() != 200) return null;
        return json(r.body());
    }

    static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- counting ----------------------------------------------------------------------------

    /** The string field {@code field} of every record of {@code topic}, read to its current end. */
    Set<String> idsIn(String topic, String field) {
        return idsIn(kafka.bootstrapServers(), topic, field);
    }

    /** The string field {@code field} of every record of {@code topic} on {@code bootstrap}, read to its current end. */
    static Set<String> idsIn(String bootstrap, String topic, String field) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Set<String> ids = new HashSet<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    JsonNode v = json(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
                    if (v.hasNonNull(field)) ids.add(v.get(field).asText());
                }
            }
        }
        return ids;
    }

    /** Waits until the feedback service's consumer group has committed the end of {@code topic}. */
    void awaitFeedbackCaughtUp(String topic, Duration within) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            long deadline = System.nanoTime() + within.toNanos();
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("kairos-feedback")
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetSpec> wanted = new HashMap<>();
                for (var tp : admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()) {
                    wanted.put(new TopicPartition(topic, tp.partition()), OffsetSpec.latest());
                }
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(wanted).all().get(10, TimeUnit.SECONDS);
                boolean done = ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                        || committed.containsKey(e.getKey()) && committed.get(e.getKey()).offset() >= e.getValue().offset());
                if (done) return;
                if (System.nanoTime() > deadline) throw new AssertionError("feedback-service did not catch up with " + topic + ": " + committed + " vs " + ends);
                sleep(500);
            }
        } catch (InterruptedException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Decision ids in the feedback store (H2 file): call after the feedback service stopped. */
    List<String> storedDecisionIds() {
        return storedDecisionIds("decisions");
    }

    /** The decision ids of the rows of {@code table} in the feedback store (e.g. {@code decision_choices}, {@code trigger_deliveries}). */
    List<String> storedDecisionIds(String table) {
        String url = "jdbc:h2:file:" + data.resolve("feedback").resolve("kairos").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT decision_id FROM " + table)) {
            while (r.next()) ids.add(r.getString(1));
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Prints one line of counts, the fault suite's report. */
    static void report(String fault, String counts) {
        System.out.println("FAULT " + fault + ": " + counts);
    }

    @Override
    public void close() {
        for (Process p : new Process[] {rules, feedback}) {
            if (p != null && p.isAlive()) terminate(p);
        }
        kafka.close();
        keepLogs(data);
    }

    /**
     * Keeps the services' logs in {@code data} for a look after the run, in {@code target/fault-logs}, then deletes
     * the temporary data folder (brokers' logs, stores, databases); call it once everything using it has stopped.
     */
    static void keepLogs(Path data) {
        if (data == null) return;
        try (var logs = Files.list(data)) {
            Path keep = Path.of("target", "fault-logs", data.getFileName().toString());
            Files.createDirectories(keep);
            for (Path log : logs.filter(f -> f.toString().endsWith(".log")).toList()) Files.copy(log, keep.resolve(log.getFileName()));
            Path broker = data.resolve("kafka").resolve("broker.log");
            if (Files.exists(broker)) Files.copy(broker, keep.resolve("broker.log"));
        } catch (IOException e) {
            System.err.println("could not keep the logs of " + data + ": " + e);
            return;
        }
        dev.kairos.kafka.SharedBroker.deleteTree(data);
    }
}
