package dev.kairos.bench;

import dev.kairos.kafka.LocalKafka;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What one user costs the signal engine: starts a real broker and the packaged rules-server (one
 * instance, global mode, so it holds both the partitioned {@code user-state} store and the global
 * {@code signals-view} for every user), sends {@code --users} users a realistic history each (two sessions: page views over four
 * categories, product views, scrolls, a search, a cart add, an ad click — 30 events), waits until all
 * are folded, then prints the bytes per user of the latest state record (the signals topic, what
 * every instance keeps in global mode) and of the RocksDB stores on disk, per store, and the
 * {@code RESULT} line the capacity model in docs/operations.md is computed from.
 *
 * <pre>benchmarks/load/state-size.sh [--users 20000]</pre>
 */
public final class StateSize {
    static final int EVENTS_PER_USER = 30;

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>(Map.of("--users", "20000", "--port", "18091"));
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
        int users = Integer.parseInt(opt.get("--users"));
        int port = Integer.parseInt(opt.get("--port"));
        Path jar = Path.of(opt.getOrDefault("--server-jar", "rules-server/target/kairos-rules-server-0.1.0-SNAPSHOT.jar"));
        Path tmp = Files.createTempDirectory("kairos-state-size");
        System.out.printf("state size: %,d users x %d events, %d cores%n", users, EVENTS_PER_USER, Runtime.getRuntime().availableProcessors());
        try {
            try (LocalKafka kafka = LocalKafka.builder().dataDir(tmp.resolve("kafka")).heap("768m").build().start()) {
                Map<String, Long> stores = run(jar, tmp.resolve("data"), port, kafka.bootstrapServers(), users);
                double record = signalsRecordBytes(kafka.bootstrapServers(), users);
                double view = stores.getOrDefault("signals-view", 0L) / (double) users;
                double userState = stores.getOrDefault("user-state", 0L) / (double) users;
                double seen = stores.getOrDefault("seen-events", 0L) / (double) users;
                System.out.printf("%-34s %,8.0f bytes/user%n", "latest signals record", record);
                System.out.printf("%-34s %,8.0f bytes/user   (global mode: every instance, all users)%n", "RocksDB signals-view", view);
                System.out.printf("%-34s %,8.0f bytes/user   (owner of the user's partition, and each standby)%n", "RocksDB user-state", userState);
                System.out.printf("%-34s %,8.0f bytes/user   (event ids of the last 24 h: %d events each)%n", "RocksDB seen-events", seen, EVENTS_PER_USER);
                System.out.printf("RESULT state_record_bytes=%.0f view_bytes_per_user=%.0f user_state_bytes_per_user=%.0f seen_bytes_per_user=%.0f users=%d%n",
                        record, view, userState, seen, users);
            }
        } finally {
            // Broker logs and RocksDB stores: gigabytes after a few runs. --keep true leaves them for a look.
            if (!Boolean.parseBoolean(opt.getOrDefault("--keep", "false"))) SdkVsSegment.deleteTree(tmp);
            else System.out.println("data kept in " + tmp);
        }
    }

    /** Loads {@code users} users into a fresh instance; returns the bytes on disk of each RocksDB store. */
    static Map<String, Long> run(Path jar, Path data, int port, String bootstrap, int users) throws Exception {
        Files.createDirectories(data);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms512m", "-Xmx512m", "-jar", jar.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile());
        pb.environment().put("KAIROS_WRITE_KEYS", IngestLoad.KEY);
        pb.environment().put("KAIROS_ADMIN_KEY", "ak_state_size");
        pb.environment().put("KAIROS_DATA_DIR", data.toString());
        pb.environment().put("KAIROS_RULES_PORT", String.valueOf(port));
        pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        // The server ends with this harness, however it ends (ParentWatch).
        pb.environment().put("KAIROS_PARENT_PID", String.valueOf(ProcessHandle.current().pid()));
        Process server = pb.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + port);
            IngestLoad.awaitHealthy(base, server);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            load(http, base, users);
            awaitFolded(http, base, (long) users * EVENTS_PER_USER);
            // Let RocksDB flush its memtables so the files show the data (Streams flushes on commit).
            Thread.sleep(5_000);
            Map<String, Long> sizes = storeSizes(data.resolve("streams"));
            System.out.printf("stores on disk (bytes): %s%n", sizes);
            return sizes;
        } finally {
            server.destroy();
            server.waitFor(60, TimeUnit.SECONDS);
        }
    }

    static void load(HttpClient http, URI base, int users) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> sends = new ArrayList<>();
        int perBatch = 100 / EVENTS_PER_USER;
        for (int first = 0; first < users; first += perBatch) {
            int from = first;
            sends.add(pool.submit(() -> {
                StringBuilder b = new StringBuilder("{\"batch\":[");
                for (int u = from; u < Math.min(from + perBatch, users); u++) history(b, "user-" + u);
                b.setLength(b.length() - 1);
                String body = b.append("]}").toString();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/events")).header("Authorization", "Bearer " + IngestLoad.KEY)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                int sent = (Math.min(from + perBatch, users) - from) * EVENTS_PER_USER;
                if (r.statusCode() != 200 || !r.body().startsWith("{\"accepted\":" + sent + ",")) {
                    throw new IllegalStateException("ingest answered " + r.statusCode() + ": " + r.body());
                }
                return null;
            }));
        }
        for (Future<?> f : sends) f.get();
        pool.shutdown();
    }

    /** Thirty events of one user over two sessions. */
    static void history(StringBuilder b, String user) {
        String[] categories = {"dresses", "shoes", "bags", "news"};
        for (int s = 0; s < 2; s++) {
            String session = user + "-s" + s;
            for (int i = 0; i < 15; i++) {
                String type;
                String props;
                switch (i) {
                    case 0, 4, 8 -> { type = "page_view"; props = "{\"category\":\"" + categories[(i + s) % 4] + "\"}"; }
                    case 1, 2, 3, 5, 6 -> { type = "product_view"; props = "{\"productId\":\"p" + i + "\",\"category\":\"" + categories[i % 3] + "\"}"; }
                    case 7 -> { type = "search"; props = "{\"query\":\"red dress\"}"; }
                    case 9 -> { type = "add_to_cart"; props = "{\"productId\":\"p3\"}"; }
                    case 10 -> { type = "ad_click"; props = "{\"adId\":\"a1\"}"; }
                    default -> { type = "scroll"; props = "{\"depth\":0." + (5 + i % 5) + ",\"velocity\":" + (1000 + 500 * i) + "}"; }
                }
                b.append("{\"eventId\":\"").append(UUID.randomUUID()).append("\",\"type\":\"").append(type).append("\",\"userId\":\"").append(user)
                        .append("\",\"sessionId\":\"").append(session).append("\",\"context\":{\"timezone\":\"Europe/Berlin\"},\"properties\":")
                        .append(props).append("},");
            }
        }
    }

    static void awaitFolded(HttpClient http, URI base, long events) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        while (IngestLoad.processed(http, base) < events) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("the signal engine did not fold " + events + " events in 15 min");
            Thread.sleep(1000);
        }
    }

    /** Bytes on disk per RocksDB store name under a Kafka Streams state dir (all tasks summed). */
    static Map<String, Long> storeSizes(Path streams) throws IOException {
        Map<String, Long> sizes = new HashMap<>();
        try (Stream<Path> files = Files.walk(streams)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path rel = streams.relativize(f);
                for (int i = 0; i < rel.getNameCount() - 1; i++) {
                    if (rel.getName(i).toString().equals("rocksdb")) {
                        sizes.merge(rel.getName(i + 1).toString(), size(f), Long::sum);
                        break;
                    }
                }
            }
        }
        return sizes;
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The mean size of each user's latest record on the signals topic. */
    static double signalsRecordBytes(String bootstrap, int users) {
        Map<String, Object> cfg = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, Integer> latest = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(cfg, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor("kairos.signals").stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (r.key() != null && r.key().startsWith("user-") && r.value() != null) latest.put(r.key(), r.value().length);
                }
            }
        }
        return latest.values().stream().mapToInt(Integer::intValue).average().orElse(0);
    }
}
