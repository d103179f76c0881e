package dev.kairos.bench;

import dev.kairos.kafka.LocalKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ingest load harness: starts a real broker and the packaged rules-server, then measures, in one
 * run, (1) events/s accepted by {@code POST /v1/events} in batches of 100 at a fixed concurrency,
 * (2) the peer: the same events sent straight to Kafka by one producer with the same settings
 * (acks=all, idempotent, lz4) — the broker's ceiling on this machine — and (3) the delay from
 * {@code POST /v1/events} returning to the event being visible in {@code /v1/decide}.
 * Traffic goes to 127.0.0.1 only; every loop is bounded in time and count.
 *
 * <pre>benchmarks/load/ingest.sh [--seconds 20] [--clients 4] [--samples 200]</pre>
 * {@code --engine false} measures (1) and (2) only, against an ingest-only instance ({@code KAIROS_ROLE=ingest}: its signal
 * engine not started; ingest's own ceiling).
 */
public final class IngestLoad {
    static final String KEY = "wk_ingest_bench";
    static final String ADMIN = "ak_ingest_bench";
    public static final int BATCH = 100;
    /** Distinct users the engine-alone runs spread their events over ({@code --users}, 10,000 by default). */
    static int USERS = 10_000;

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new java.util.HashMap<>(Map.of("--seconds", "20", "--clients", "4", "--samples", "200", "--port", "18090"));
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
        int seconds = Integer.parseInt(opt.get("--seconds"));
        int clients = Integer.parseInt(opt.get("--clients"));
        int samples = Integer.parseInt(opt.get("--samples"));
        int port = Integer.parseInt(opt.get("--port"));
        USERS = Integer.parseInt(opt.getOrDefault("--users", "10000"));
        LOAD = opt.getOrDefault("--load", "java");
        if (!LOAD.equals("java") && !LOAD.equals("wrk")) throw new IllegalArgumentException("--load is java or wrk, was " + LOAD);
        Path jar = Path.of(opt.getOrDefault("--server-jar", "rules-server/target/kairos-rules-server-0.1.0-SNAPSHOT.jar"));
        Path tmp = Files.createTempDirectory("kairos-ingest-bench");

        try {
            try (LocalKafka kafka = LocalKafka.builder().dataDir(tmp.resolve("kafka")).heap("768m").build().start()) {
                boolean engine = Boolean.parseBoolean(opt.getOrDefault("--engine", "true"));
                Process server = startServer(jar, tmp.resolve("data"), port, kafka.bootstrapServers(), opt.getOrDefault("--signals-mode", "global"), engine);
                serverPid = server.pid();
                try {
                    URI base = URI.create("http://127.0.0.1:" + port);
                    awaitHealthy(base, server);
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
                    if (Boolean.parseBoolean(opt.getOrDefault("--fold-only", "false"))) {
                        // The engine alone, after 900k events of warm-up (until the JIT is done): for profiling and comparing engine changes.
                        foldAlone(http, base, kafka.bootstrapServers(), 300_000, "w");
                        foldAlone(http, base, kafka.bootstrapServers(), 600_000, "x");
                        double fold = foldAlone(http, base, kafka.bootstrapServers(), 600_000, "f");
                        printMemory(server);
                        System.out.printf(java.util.Locale.ROOT, "RESULT fold_eps=%.0f%n", fold);
                        return;
                    }
                    if (Boolean.parseBoolean(opt.getOrDefault("--visibility-only", "false"))) {
                        // Visibility alone, idle and under the steady load: for comparing settings that affect the tail.
                        // --warmup-seconds: how long the clients load the server first (JIT; 5 s by default).
                        ingest(http, base, clients, Integer.parseInt(opt.getOrDefault("--warmup-seconds", "5")), "warmup");
                        drain(http, base);
                        double idle = visibility(http, base, samples);
                        double loaded = visibilityUnderLoad(http, base, samples, Integer.parseInt(opt.getOrDefault("--visible-under-eps", "10000")),
                                Integer.parseInt(opt.getOrDefault("--settle-probes", "0")));
                        System.out.printf(java.util.Locale.ROOT, "RESULT visible_p99_ms=%.1f visible_under_load_p99_ms=%.1f%n", idle, loaded);
                        return;
                    }
                    System.out.printf("ingest load: %d s per run, %d HTTP clients, batches of %d, %d cores%n", seconds, clients, BATCH,
                            Runtime.getRuntime().availableProcessors());
                    if (!engine) {
                        // Ingest's own ceiling here: the server's signal engine does not run, so nothing folds the events
                        // on the same cores (what a separate ingest tier would see); no visibility or fold phases.
                        ingest(http, base, clients, 5, "warmup");
                        double alone = ingest(http, base, clients, seconds, "POST /v1/events (no engine)");
                        double peer = rawProducer(kafka.bootstrapServers(), seconds);
                        System.out.printf("ratio: Kairos ingest / raw producer = %.2f%n", alone / peer);
                        printMemory(server);
                        System.out.printf(java.util.Locale.ROOT, "RESULT ingest_eps=%.0f producer_eps=%.0f ratio=%.3f engine=off%n", alone, peer, alone / peer);
                        return;
                    }
                    ingest(http, base, clients, 5, "warmup");
                    double viaKairos = ingest(http, base, clients, seconds, "POST /v1/events");
                    double peer = rawProducer(kafka.bootstrapServers(), seconds);
                    System.out.printf("ratio: Kairos ingest / raw producer = %.2f%n", viaKairos / peer);
                    drain(http, base);
                    double visibleP99 = visibility(http, base, samples);
                    int underLoad = Integer.parseInt(opt.getOrDefault("--visible-under-eps", "10000"));
                    if (underLoad > 0) visibilityUnderLoad(http, base, samples, underLoad, 0);
                    double fold = foldAlone(http, base, kafka.bootstrapServers(), 300_000, "f");
                    printMemory(server);
                    System.out.printf(java.util.Locale.ROOT, "RESULT ingest_eps=%.0f producer_eps=%.0f ratio=%.3f fold_eps=%.0f visible_p99_ms=%.1f%n",
                            viaKairos, peer, viaKairos / peer, fold, visibleP99);
                } finally {
                    server.destroy();
                    server.waitFor(30, TimeUnit.SECONDS);
                }
            }
        } finally {
            // Broker logs and RocksDB stores: gigabytes after a few runs. --keep true leaves them for a look.
            if (!Boolean.parseBoolean(opt.getOrDefault("--keep", "false"))) SdkVsSegment.deleteTree(tmp);
            else System.out.println("data kept in " + tmp);
        }
    }

    /** The rules-server's process id, for its CPU time ({@link #cpuSeconds}). */
    private static long serverPid = -1;
    /** Linux's clock ticks per second in /proc (USER_HZ, 100 on every common kernel). */
    private static final double TICKS_PER_SECOND = 100;

    /** CPU seconds (user and system) a process has used so far, from /proc; NaN when not readable (not Linux, or gone). */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // After the command's name in parentheses: state is field 3, utime 14, stime 15.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The machine's busy clock ticks so far, all cores (/proc/stat: everything but idle and iowait); 0 when not readable. */
    static long machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) if (i != 4 && i != 5) busy += Long.parseLong(f[i]);
            return busy;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The server's resident memory now and at its peak (Linux /proc), heap and off-heap (RocksDB) together. */
    static void printMemory(Process server) {
        try {
            long rss = 0, peak = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + server.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("\\D", ""));
                if (line.startsWith("VmHWM:")) peak = Long.parseLong(line.replaceAll("\\D", ""));
            }
            System.out.printf("rules-server RSS: %d MB now, peak %d MB%n", rss / 1024, peak / 1024);
        } catch (IOException | RuntimeException e) {
            System.out.println("rules-server RSS: not readable here (" + e + ")");
        }
    }

    static Process startServer(Path jar, Path data, int port, String bootstrap, String signalsMode, boolean engine) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms512m", "-Xmx512m"));
        // SERVER_JAVA_OPTS: extra JVM options for the server only, e.g. a JFR recording for a profile.
        String extra = System.getenv("SERVER_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) cmd.addAll(List.of(extra.trim().split("\\s+")));
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true).redirectOutput(data.getParent().resolve("server.log").toFile());
        pb.environment().put("KAIROS_WRITE_KEYS", KEY);
        pb.environment().put("KAIROS_ADMIN_KEY", ADMIN);
        pb.environment().put("KAIROS_DATA_DIR", data.toString());
        pb.environment().put("KAIROS_RULES_PORT", String.valueOf(port));
        pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        pb.environment().put("KAIROS_SIGNALS_MODE", signalsMode);
        // --engine false: an ingest-only instance (docs/operations.md#an-ingest-tier): the signal engine does not start.
        if (!engine) pb.environment().put("KAIROS_ROLE", "ingest");
        // The server ends with this harness, however it ends (ParentWatch).
        pb.environment().put("KAIROS_PARENT_PID", String.valueOf(ProcessHandle.current().pid()));
        return pb.start();
    }

    static void awaitHealthy(URI base, Process server) throws Exception {
        HttpClient c = HttpClient.newHttpClient();
        for (int i = 0; i < 240; i++) {
            if (!server.isAlive()) throw new IllegalStateException("rules-server exited; see its server.log");
            try {
                HttpResponse<String> r = c.send(HttpRequest.newBuilder(base.resolve("/health")).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("rules-server did not become healthy");
    }

    /** The time now as the SDKs stamp an event: {@link Instant#toString()} of the millisecond. */
    static String stamp() {
        return Instant.ofEpochMilli(System.currentTimeMillis()).toString();
    }

    /** An event as the SDKs send one; {@code timestamp} as they stamp it ({@link #stamp}), or null for none (the server's time then). */
    static String event(String id, String user, String type, String props, String timestamp) {
        return "{\"eventId\":\"" + id + "\",\"type\":\"" + type + "\",\"userId\":\"" + user + "\",\"sessionId\":\"s-" + user
                + (timestamp == null ? "" : "\",\"timestamp\":\"" + timestamp)
                + "\",\"context\":{\"timezone\":\"Europe/Berlin\",\"device\":{\"type\":\"mobile\",\"os\":\"ios\"}},\"properties\":" + props + "}";
    }

    /** Batch number {@code seq}, its events stamped as the SDKs stamp every event (docs/benchmarks.md §31). */
    public static String batch(long seq) {
        return batch(seq, true);
    }

    /** Batch number {@code seq}; {@code stamped}: its events with a timestamp, else without (the server stamps them). */
    public static String batch(long seq, boolean stamped) {
        String stamp = stamped ? stamp() : null;
        StringBuilder b = new StringBuilder(BATCH * 260).append("{\"batch\":[");
        for (int i = 0; i < BATCH; i++) {
            if (i > 0) b.append(',');
            String user = "u" + ((seq * BATCH + i) % 10_000);
            b.append(i % 3 == 0 ? event(UUID.randomUUID().toString(), user, "scroll", "{\"depth\":0.6,\"velocity\":3500}", stamp)
                    : i % 3 == 1 ? event(UUID.randomUUID().toString(), user, "product_view", "{\"productId\":\"p" + i + "\",\"category\":\"dresses\"}", stamp)
                    : event(UUID.randomUUID().toString(), user, "page_view", "{\"category\":\"news\"}", stamp));
        }
        return b.append("]}").toString();
    }

    /** {@code POST /v1/events} with batch number {@code seq} ({@link #batch}). */
    static HttpResponse<String> postBatch(HttpClient http, URI base, long seq) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve("/v1/events"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(batch(seq))).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code --load}: {@code java} (this JVM's HTTP clients, the default) or {@code wrk} (benchmarks/load/ingest.lua). */
    static String LOAD = "java";
    private static int wrkRuns;

    static double ingest(HttpClient http, URI base, int clients, int seconds, String label) throws Exception {
        if (LOAD.equals("wrk")) return ingestWrk(base, clients, seconds, label);
        AtomicLong accepted = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicLong seq = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            workers.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    try {
                        HttpResponse<String> r = postBatch(http, base, seq.getAndIncrement());
                        if (r.statusCode() == 200 && r.body().startsWith("{\"accepted\":" + BATCH + ",")) accepted.addAndGet(BATCH);
                        else failures.incrementAndGet();
                    } catch (IOException e) {
                        failures.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> w : workers) w.get();
        pool.shutdown();
        double secondsTaken = (System.nanoTime() - start) / 1e9;
        double rate = accepted.get() / secondsTaken;
        if (!label.equals("warmup")) {
            System.out.printf("%-28s %,10.0f events/s   (%,d events, %d failed batches)%n", label, rate, accepted.get(), failures.get());
        }
        return rate;
    }

    /**
     * The same batches from wrk (one thread, {@code clients} connections; benchmarks/load/ingest.lua): a load
     * generator that takes far less of the two cores than this JVM's HTTP client does.
     */
    static double ingestWrk(URI base, int clients, int seconds, String label) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("wrk", "-t1", "-c" + clients, "-d" + seconds + "s", "--timeout", "10s",
                "-s", "benchmarks/load/ingest.lua", base.toString()).redirectErrorStream(true);
        pb.environment().put("KAIROS_BENCH_KEY", KEY);
        pb.environment().put("KAIROS_BENCH_RUN", String.valueOf(ProcessHandle.current().pid() * 16 + ++wrkRuns));
        long start = System.nanoTime();
        double serverBefore = cpuSeconds(serverPid);
        long machineBefore = machineTicks();
        Process wrk = pb.start();
        // wrk's CPU time, read while it runs (its /proc entry goes with it).
        double[] wrkCpu = {Double.NaN};
        Thread sampler = new Thread(() -> {
            while (wrk.isAlive()) {
                double c = cpuSeconds(wrk.pid());
                if (!Double.isNaN(c)) wrkCpu[0] = c;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "wrk-cpu");
        sampler.setDaemon(true);
        sampler.start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (wrk.waitFor() != 0) throw new IllegalStateException("wrk failed:\n" + out);
        double secondsTaken = (System.nanoTime() - start) / 1e9;
        double serverCpu = cpuSeconds(serverPid) - serverBefore;
        long machineAfter = machineTicks();
        sampler.join(1000);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("INGEST accepted_batches=(\\d+) failed_batches=(\\d+)").matcher(out);
        if (!m.find()) throw new IllegalStateException("no INGEST line from wrk:\n" + out);
        long accepted = Long.parseLong(m.group(1)) * BATCH;
        double rate = accepted / secondsTaken;
        if (!label.equals("warmup")) {
            System.out.printf("%-28s %,10.0f events/s   (%,d events, %s failed batches; load from wrk)%n", label, rate, accepted, m.group(2));
            // Where the two cores went meanwhile, in % of one core: the rest of the machine's busy time is the broker's, mostly.
            double machine = (machineAfter - machineBefore) / TICKS_PER_SECOND;
            System.out.printf(java.util.Locale.ROOT, "  CPU during the run, %% of one core: rules-server %.0f, wrk %.0f, whole machine %.0f of %d (broker and system: the rest)%n",
                    100 * serverCpu / secondsTaken, 100 * wrkCpu[0] / secondsTaken, 100 * machine / secondsTaken, Runtime.getRuntime().availableProcessors() * 100);
        }
        return rate;
    }

    static double rawProducer(String bootstrap, int seconds) throws Exception {
        Map<String, Object> cfg = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.BATCH_SIZE_CONFIG, 131072, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("bench.raw", 6, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        long sent = 0;
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(cfg, new StringSerializer(), new ByteArraySerializer())) {
            while (System.nanoTime() < end) {
                String stamp = stamp();
                for (int i = 0; i < BATCH; i++) {
                    String user = "u" + ((sent + i) % 10_000);
                    byte[] value = event(UUID.randomUUID().toString(), user, "page_view", "{\"category\":\"news\"}", stamp).getBytes(StandardCharsets.UTF_8);
                    p.send(new ProducerRecord<>("bench.raw", user, value));
                }
                sent += BATCH;
            }
            p.flush();
        }
        double rate = sent / ((System.nanoTime() - start) / 1e9);
        System.out.printf("%-28s %,10.0f events/s   (peer: one KafkaProducer, same acks/idempotence/lz4, same broker)%n",
                "raw Kafka producer", rate);
        return rate;
    }

    /** The server's metrics page, as Prometheus scrapes it. */
    static String prometheus(HttpClient http, URI base) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static double processed(HttpClient http, URI base) throws Exception {
        String metrics = prometheus(http, base);
        double n = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("kairos_signals_events_total") || line.startsWith("kairos_signals_duplicates_total")) {
                n += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return n;
    }

    /** The cumulative buckets of the engine's {@code kairos.signals.delay} histogram: upper bound in seconds to count. */
    static java.util.TreeMap<Double, Double> delayBuckets(HttpClient http, URI base) throws Exception {
        String metrics = prometheus(http, base);
        java.util.TreeMap<Double, Double> buckets = new java.util.TreeMap<>();
        for (String line : metrics.split("\n")) {
            if (!line.startsWith("kairos_signals_delay_seconds_bucket{")) continue;
            int le = line.indexOf("le=\"") + 4;
            String bound = line.substring(le, line.indexOf('"', le));
            buckets.put(bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound),
                    Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
        }
        return buckets;
    }

    /** "p50 ≤ x ms, p99 ≤ y ms" of the events the engine folded between two snapshots of {@link #delayBuckets}. */
    static String delayBetween(java.util.TreeMap<Double, Double> before, java.util.TreeMap<Double, Double> after) {
        double total = after.lastEntry().getValue() - before.getOrDefault(after.lastKey(), 0.0);
        if (total <= 0) return "no events folded";
        StringBuilder out = new StringBuilder();
        for (double q : new double[] {0.5, 0.99, 0.999}) {
            for (Map.Entry<Double, Double> b : after.entrySet()) {
                if (b.getValue() - before.getOrDefault(b.getKey(), 0.0) >= q * total) {
                    out.append(String.format(java.util.Locale.ROOT, "p%s <= %.1f ms, ", q == 0.5 ? "50" : q == 0.99 ? "99" : "99.9", b.getKey() * 1000));
                    break;
                }
            }
        }
        return out.append(String.format(java.util.Locale.ROOT, "%,.0f events", total)).toString();
    }

    /** Waits for the signal engine to work through the backlog the load left, and reports its rate while doing so. */
    static void drain(HttpClient http, URI base) throws Exception {
        double last = processed(http, base);
        long start = System.nanoTime();
        double first = last;
        long quietSince = System.nanoTime();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            double now = processed(http, base);
            if (now > last) quietSince = System.nanoTime();
            last = now;
            if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(3)) break;
        }
        double seconds = (quietSince - start) / 1e9;
        System.out.printf("%-28s %,10.0f events/s   (%,.0f backlog events folded into user state in %.1f s after the load)%n",
                "signal engine (drain)", (last - first) / Math.max(seconds, 0.001), last - first, seconds);
    }

    /**
     * The signal engine alone: {@code n} events written straight to the events topic (a raw
     * producer, far faster than the engine), timed until the engine has folded them all.
     */
    static double foldAlone(HttpClient http, URI base, String bootstrap, int n, String users) throws Exception {
        Map<String, Object> cfg = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.BATCH_SIZE_CONFIG, 131072, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        double before = processed(http, base);
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(cfg, new StringSerializer(), new ByteArraySerializer())) {
            String stamp = null;
            for (int i = 0; i < n; i++) {
                String user = users + (i % USERS);
                if (i % BATCH == 0) stamp = stamp(); // a new time per 100 events, as a batch of them is stamped
                String e = i % 3 == 0 ? event(UUID.randomUUID().toString(), user, "scroll", "{\"depth\":0.6,\"velocity\":3500}", stamp)
                        : i % 3 == 1 ? event(UUID.randomUUID().toString(), user, "product_view", "{\"productId\":\"p" + i + "\",\"category\":\"dresses\"}", stamp)
                        : event(UUID.randomUUID().toString(), user, "page_view", "{\"category\":\"news\"}", stamp);
                p.send(new ProducerRecord<>("kairos.events", user, e.getBytes(StandardCharsets.UTF_8)));
            }
            p.flush();
        }
        double produced = (System.nanoTime() - start) / 1e9;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        double now;
        while ((now = processed(http, base)) < before + n && System.nanoTime() < deadline) Thread.sleep(500);
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = (now - before) / seconds;
        System.out.printf("%-28s %,10.0f events/s   (%,d events written straight to the events topic in %.1f s, folded in %.1f s; no other load)%n",
                "signal engine (alone)", rate, n, produced, seconds);
        return rate;
    }

    /**
     * Visibility again, while 4 more clients keep {@code POST /v1/events} at a steady {@code eps}
     * events/s (paced batches of 100; the rate they reached is printed): the delay an event sees
     * when the engine is busy with others, as long as it keeps up with them. {@code settleProbes}
     * probes are sent under the load and not recorded first (the probe's decide path and the loaded
     * engine compiled, as on a server that has been serving both).
     */
    static double visibilityUnderLoad(HttpClient http, URI base, int samples, int eps, int settleProbes) throws Exception {
        int clients = 4;
        // The load has its own HTTP client (connections, selector thread), so the probe's requests do not queue behind its batches.
        HttpClient loadHttp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) * clients * BATCH / eps;
        AtomicLong seq = new AtomicLong(1_000_000_000L);
        AtomicLong sent = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> load = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            long offset = intervalNanos * c / clients;
            load.add(pool.submit(() -> {
                long next = System.nanoTime() + offset;
                while (!stop.get()) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                    next += intervalNanos;
                    HttpResponse<String> r = postBatch(loadHttp, base, seq.getAndIncrement());
                    if (r.statusCode() == 200) sent.addAndGet(BATCH);
                }
                return null;
            }));
        }
        long start = System.nanoTime();
        Thread.sleep(3000); // let the engine settle into the load first
        double p99;
        try {
            if (settleProbes > 0) {
                System.out.printf("under the load, %d probes not recorded (the JIT compiling the loaded paths): ", settleProbes);
                visibility(http, base, settleProbes);
            }
            java.util.TreeMap<Double, Double> before = delayBuckets(http, base);
            System.out.printf("under a steady load of %,d events/s from %d more clients: ", eps, clients);
            p99 = visibility(http, base, samples);
            // The server's own view of the same phase: from ingest accepting each event to the engine folding it.
            System.out.printf("  engine delay (kairos.signals.delay, histogram bucket bounds) in that phase: %s%n", delayBetween(before, delayBuckets(http, base)));
            // SHOW_METRICS=<regex>: the server's /prometheus lines matching it, after the loaded phase (e.g. Kafka Streams' commit latency).
            String show = System.getenv("SHOW_METRICS");
            if (show != null && !show.isBlank()) {
                java.util.regex.Pattern wanted = java.util.regex.Pattern.compile(show);
                for (String line : prometheus(http, base).split("\n")) {
                    if (!line.startsWith("#") && wanted.matcher(line).find()) System.out.println("  " + line);
                }
            }
        } finally {
            stop.set(true);
            for (Future<?> f : load) f.get(30, TimeUnit.SECONDS);
            pool.shutdown();
        }
        System.out.printf("  (the load reached %,.0f events/s)%n", sent.get() / ((System.nanoTime() - start) / 1e9));
        return p99;
    }

    static double visibility(HttpClient http, URI base, int samples) throws Exception {
        long[] micros = new long[samples];
        for (int i = 0; i < samples; i++) {
            String user = "vis-" + i + "-" + UUID.randomUUID();
            String body = "{\"batch\":[" + event(UUID.randomUUID().toString(), user, "add_to_cart", "{\"productId\":\"p\"}", stamp()) + "]}";
            HttpResponse<String> posted = http.send(HttpRequest.newBuilder(base.resolve("/v1/events")).header("Authorization", "Bearer " + KEY)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            long t0 = System.nanoTime();
            if (posted.statusCode() != 200) throw new IllegalStateException("ingest failed: " + posted.body());
            String decide = "{\"userId\":\"" + user + "\",\"placements\":[\"home_banner\"]}";
            long deadline = t0 + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                HttpResponse<String> d = http.send(HttpRequest.newBuilder(base.resolve("/v1/decide")).header("Authorization", "Bearer " + KEY)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(decide)).build(), HttpResponse.BodyHandlers.ofString());
                if (d.body().contains("cart_no_purchase_24h")) break;
                if (System.nanoTime() > deadline) {
                    HttpResponse<String> state = http.send(HttpRequest.newBuilder(base.resolve("/v1/users/" + user + "/signals")).header("Authorization", "Bearer " + ADMIN)
                            .build(), HttpResponse.BodyHandlers.ofString());
                    // Late or lost? Look for the user's signals for a minute more.
                    String after = "not within 70 s either";
                    for (int k = 0; k < 600; k++) {
                        Thread.sleep(100);
                        if (http.send(HttpRequest.newBuilder(base.resolve("/v1/users/" + user + "/signals")).header("Authorization", "Bearer " + ADMIN)
                                .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                            after = "folded " + (System.nanoTime() - t0) / 1_000_000 + " ms after the POST returned";
                            break;
                        }
                    }
                    throw new IllegalStateException("event not visible after 10 s (" + after + "); last decide: " + d.statusCode() + " " + d.body()
                            + "; the user's signals at 10 s: " + state.statusCode() + " " + state.body());
                }
                Thread.sleep(0, 200_000);
            }
            micros[i] = (System.nanoTime() - t0) / 1000;
        }
        Arrays.sort(micros);
        double p99 = micros[(int) Math.ceil(samples * 0.99) - 1] / 1000.0;
        System.out.printf("visible in /v1/decide after POST /v1/events returned: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d samples)%n",
                micros[samples / 2] / 1000.0, p99, micros[samples - 1] / 1000.0, samples);
        return p99;
    }
}
