package dev.kairos.e2e.fault;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The right to erasure on the real platform (broker, rules-server, feedback service, each its own
 * JVM): a user with an anonymous history merged in, decisions and outcomes, is erased through
 * {@code DELETE /v1/users/{userKey}}; afterwards no trace of either id remains in the signal
 * engine's store (404), the compacted signals topic and changelog (after compaction, tombstones
 * included) or the feedback database, while another user is untouched.
 */
class ErasureTest {
    static final String USER = "erase-me@example.com";
    static final String ANON = "anon-erase-1";
    static final String OTHER = "keep-me";
    static final String CHANGELOG = "kairos-signals-user-state-changelog";

    @Test
    void erasingAUserLeavesNoTraceInStoresCompactedTopicsOrTheFeedbackDatabase(@TempDir Path data) throws Exception {
        try (Platform p = new Platform(data).startRules().startFeedback()) {
            // Anonymous browsing, then sign-in: the anonymous profile merges into the user's.
            events(p, "{\"type\": \"page_view\", \"anonymousId\": \"" + ANON + "\", \"properties\": {\"path\": \"/shoes\"}}",
                    "{\"type\": \"identify\", \"userId\": \"" + USER + "\", \"anonymousId\": \"" + ANON + "\"}",
                    "{\"type\": \"add_to_cart\", \"userId\": \"" + USER + "\", \"properties\": {\"productId\": \"sku-1\"}}",
                    "{\"type\": \"page_view\", \"userId\": \"" + OTHER + "\", \"properties\": {\"path\": \"/\"}}");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> r = Platform.get(p.rulesPort, "/v1/users/" + enc(USER) + "/signals", Platform.ADMIN_KEY);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains(ANON);
            });
            List<String> decisions = new ArrayList<>();
            for (int i = 0; i < 3; i++) decisions.add(p.decide(USER));
            decisions.add(p.decide(OTHER));
            assertThat(decisions).doesNotContainNull();
            outcome(p, decisions.get(0), USER);
            outcome(p, decisions.get(3), OTHER);
            p.awaitFeedbackCaughtUp("kairos.decisions", Duration.ofSeconds(60));
            p.awaitFeedbackCaughtUp("kairos.outcomes", Duration.ofSeconds(60));

            // Fast compaction for the test: the broker cleans these topics within seconds, not hours.
            compactFast(p, "kairos.signals", CHANGELOG);

            assertThat(delete(p, USER, Platform.WRITE_KEY).statusCode()).as("an app key cannot erase").isEqualTo(401);
            HttpResponse<String> accepted = delete(p, USER, Platform.ADMIN_KEY);
            assertThat(accepted.statusCode()).isEqualTo(202);
            String requestId = Platform.json(accepted.body()).get("requestId").asText();
            assertThat(requestId).isNotBlank();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Platform.get(p.rulesPort, "/v1/users/" + enc(USER) + "/signals", Platform.ADMIN_KEY).statusCode()).isEqualTo(404);
                assertThat(Platform.get(p.rulesPort, "/v1/users/" + ANON + "/signals", Platform.ADMIN_KEY).statusCode()).isEqualTo(404);
            });
            assertThat(Platform.get(p.rulesPort, "/v1/users/" + OTHER + "/signals", Platform.ADMIN_KEY).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> r = Platform.get(p.feedbackPort, "/v1/erasures/" + requestId, Platform.ADMIN_KEY);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(Platform.json(r.body()).get("rowsDeleted").asLong()).isPositive();
            });

            // Compaction: keep other users' events flowing so segments roll, until neither id is
            // anywhere in the compacted topics, not even as a tombstone.
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                // A segment rolls only when its partition gets a record: write to every partition.
                String[] filler = new String[12];
                for (int i = 0; i < filler.length; i++) {
                    filler[i] = "{\"type\": \"page_view\", \"userId\": \"filler-" + i + "\", \"properties\": {\"path\": \"/\"}}";
                }
                events(p, filler);
                for (String topic : List.of("kairos.signals", CHANGELOG)) {
                    assertThat(traces(p, topic)).as(() -> "records of the erased ids in " + topic
                            + "; segments: " + segments(p, topic) + "; " + p.brokerWarnings(15)).isEmpty();
                }
            });

            // The feedback database, read directly once the service has stopped.
            Platform.terminate(p.feedback);
            assertThat(rowsOf(p, USER)).isZero();
            assertThat(rowsOf(p, ANON)).isZero();
            assertThat(rowsOf(p, OTHER)).as("other users untouched").isPositive();
            Platform.report("erasure", "request=" + requestId + " signals=404 compacted_traces=0 feedback_rows=0");
        }
    }

    static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static void events(Platform p, String... events) {
        StringBuilder batch = new StringBuilder("{\"batch\": [");
        for (int i = 0; i < events.length; i++) {
            if (i > 0) batch.append(',');
            String e = events[i];
            batch.append(e, 0, e.length() - 1).append(", \"eventId\": \"").append(java.util.UUID.randomUUID())
                    .append("\", \"timestamp\": \"").append(java.time.Instant.now()).append("\"}");
        }
        batch.append("]}");
        HttpResponse<String> r = Platform.post(p.rulesPort, "/v1/events", Platform.WRITE_KEY, batch.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    static void outcome(Platform p, String decisionId, String user) {
        HttpResponse<String> r = Platform.post(p.rulesPort, "/v1/outcomes", Platform.WRITE_KEY,
                "{\"batch\": [{\"outcomeId\": \"" + java.util.UUID.randomUUID() + "\", \"decisionId\": \"" + decisionId
                        + "\", \"placement\": \"home_banner\", \"type\": \"impression\", \"userId\": \"" + user
                        + "\", \"timestamp\": \"" + java.time.Instant.now() + "\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    static HttpResponse<String> delete(Platform p, String user, String key) throws Exception {
        return Platform.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.rulesPort + "/v1/users/" + enc(user)))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(30)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    static void compactFast(Platform p, String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", p.kafka.bootstrapServers()))) {
            Map<ConfigResource, java.util.Collection<AlterConfigOp>> ops = new java.util.HashMap<>();
            for (String t : topics) {
                ops.put(new ConfigResource(ConfigResource.Type.TOPIC, t), List.of(
                        new AlterConfigOp(new ConfigEntry("segment.ms", "1000"), AlterConfigOp.OpType.SET),
                        new AlterConfigOp(new ConfigEntry("min.cleanable.dirty.ratio", "0.01"), AlterConfigOp.OpType.SET),
                        new AlterConfigOp(new ConfigEntry("delete.retention.ms", "0"), AlterConfigOp.OpType.SET),
                        new AlterConfigOp(new ConfigEntry("min.compaction.lag.ms", "0"), AlterConfigOp.OpType.SET)));
            }
            admin.incrementalAlterConfigs(ops).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** The segment files of each partition of {@code topic} in the broker's folder, with their sizes (for a failure's message). */
    static String segments(Platform p, String topic) {
        try (var dirs = java.nio.file.Files.list(p.kafka.dataDir().resolve("logs"))) {
            List<String> out = new ArrayList<>();
            for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith(topic + "-")).sorted().toList()) {
                try (var files = java.nio.file.Files.list(dir)) {
                    out.add(dir.getFileName() + files.filter(f -> f.toString().endsWith(".log")).sorted()
                            .map(f -> " " + f.getFileName() + ":" + f.toFile().length()).reduce("", String::concat));
                }
            }
            return String.join(", ", out);
        } catch (java.io.IOException e) {
            return "(" + e + ")";
        }
    }

    /** Records of {@code topic} whose key is one of the erased ids or whose value mentions them. */
    static List<String> traces(Platform p, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, p.kafka.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Set<String> erased = Set.of(USER, ANON);
        List<String> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(300))) {
                    String value = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
                    if (erased.contains(r.key()) || value.contains(USER) || value.contains(ANON)) {
                        found.add(r.partition() + "@" + r.offset() + " key=" + r.key() + (r.value() == null ? " (tombstone)" : ""));
                    }
                }
            }
        }
        return found;
    }

    /** Decisions and outcomes stored for {@code userKey}: the H2 file, read once the feedback service has stopped. */
    static long rowsOf(Platform p, String userKey) throws Exception {
        String url = "jdbc:h2:file:" + data(p) + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;IFEXISTS=TRUE";
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            long n = 0;
            for (String sql : List.of("SELECT COUNT(*) FROM decisions WHERE user_key = '" + userKey + "'",
                    "SELECT COUNT(*) FROM outcomes WHERE user_key = '" + userKey + "'")) {
                try (ResultSet rs = s.executeQuery(sql)) {
                    rs.next();
                    n += rs.getLong(1);
                }
            }
            return n;
        }
    }

    private static String data(Platform p) {
        return p.data.resolve("feedback").resolve("kairos").toAbsolutePath().toString();
    }
}
