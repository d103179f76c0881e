package dev.kairos.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Kairos' Java SDK against Segment's analytics-java 3.5.4, sending the same workload to the same
 * local collector in one run. Each SDK runs in its own child JVM ({@link SdkBenchApp}) with the same
 * heap; the collector (JDK {@code HttpServer}, in this JVM) counts unique event ids per SDK.
 *
 * <ol>
 *   <li><b>Burst</b>, one SDK at a time: caller-thread cost per call (p50/p99) and events/s
 *       delivered, counted by the collector.</li>
 *   <li><b>Outage</b>, both SDKs at once at a fixed rate: the collector answers 503, then refuses
 *       connections, then recovers; each app flushes, waits a bounded grace period and closes;
 *       a restarted Kairos app then delivers what its disk queue kept. Events lost = sent − unique
 *       ids the collector received.</li>
 * </ol>
 *
 * <pre>benchmarks/load/sdk.sh [--events 100000] [--rate 1000] [--seconds 40] [--outage-at 10] [--outage 24] [--grace 20] [--nodelay true]</pre>
 */
public final class SdkVsSegment {
    static final String KAIROS = "kairos";
    static final String SEGMENT = "segment";

    public static void main(String[] args) throws Exception {
        // Without TCP_NODELAY the JDK server's small answers wait on delayed ACKs (~40 ms a request).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Map<String, String> opt = new HashMap<>(Map.of("--port", "0", "--heap", "256m", "--batch", "100", "--interval", "10",
                "--warmup", "30000", "--events", "100000", "--window", "5000", "--rate", "1000", "--seconds", "40"));
        opt.putAll(Map.of("--outage-at", "10", "--outage", "24", "--grace", "20", "--recover", "30", "--kairos-queue", "100000", "--nodelay", "true"));
        opt.putAll(Map.of("--close-seconds", "20", "--close-outage-at", "15", "--close-grace", "10", "--phases", "burst,mid,close",
                "--child-opts", ""));
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
        Path tmp = Files.createTempDirectory("kairos-sdk-bench");
        Map<String, Map<String, String>> r = new HashMap<>();
        try (Collector collector = new Collector(Integer.parseInt(opt.get("--port")))) {
            String url = "http://127.0.0.1:" + collector.port;
            System.out.printf(Locale.ROOT, "SDK benchmark: collector %s, child JVMs -Xmx%s, %d cores, %s%n", url, opt.get("--heap"),
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
            System.out.printf(Locale.ROOT, "both SDKs: %s events per batch, flush every %s s, one sending thread, one request in flight, "
                    + "OkHttp with the SDK's default timeouts, TCP_NODELAY %s%n", opt.get("--batch"), opt.get("--interval"), opt.get("--nodelay"));

            // 1. Burst, one SDK at a time.
            List<String> phases = List.of(opt.get("--phases").split(","));
            for (String sdk : phases.contains("burst") ? List.of(KAIROS, SEGMENT) : List.<String>of()) {
                collector.reset();
                System.out.printf("burst: %s (%s warm-up + %s events, window %s)...%n", sdk, opt.get("--warmup"), opt.get("--events"), opt.get("--window"));
                Child c = Child.start(sdk, "burst", url, tmp.resolve("burst-" + sdk), tmp, opt,
                        "--warmup", opt.get("--warmup"), "--events", opt.get("--events"), "--window", opt.get("--window"));
                Map<String, String> res = c.await(240);
                Collector.Sink s = collector.sink(sdk);
                res.put("uniqueTotal", Long.toString(s.unique()));
                res.put("lastNewMillis", Long.toString(s.lastNewMillis));
                res.put("duplicates", Long.toString(s.duplicates.get()));
                r.put("burst-" + sdk, res);
            }

            // 2. Outages, both SDKs at once at a fixed rate.
            int outage = Integer.parseInt(opt.get("--outage"));
            if (phases.contains("mid")) outage("mid", collector, url, tmp, opt, r, Integer.parseInt(opt.get("--seconds")), Integer.parseInt(opt.get("--grace")),
                    Integer.parseInt(opt.get("--outage-at")), outage / 2, outage - outage / 2);
            if (phases.contains("close")) outage("close", collector, url, tmp, opt, r, Integer.parseInt(opt.get("--close-seconds")), Integer.parseInt(opt.get("--close-grace")),
                    Integer.parseInt(opt.get("--close-outage-at")), 0, -1);
            System.out.printf("collector: %d requests, %d answered 503%n", collector.requests.get(), collector.answered503.get());
        } finally {
            deleteTree(tmp);
        }
        if (r.containsKey("burst-" + KAIROS) && r.containsKey("mid-" + KAIROS) && r.containsKey("close-" + KAIROS)) report(r, opt);
        else r.forEach((k, v) -> System.out.println(k + ": " + new java.util.TreeMap<>(v)));
    }

    /**
     * Both SDKs at {@code --rate} events/s for {@code seconds}; from {@code at} s the collector answers
     * 503 for {@code s503} s, then refuses connections for {@code refused} s (-1: until both apps
     * have closed), then recovers; then a restarted Kairos app delivers what its disk queue kept.
     */
    static void outage(String tag, Collector collector, String url, Path tmp, Map<String, String> opt, Map<String, Map<String, String>> r,
            int seconds, int grace, int at, int s503, int refused) throws Exception {
        collector.reset();
        System.out.printf("outage '%s': both SDKs at %s events/s for %d s; from t=%d s the collector answers 503 for %d s, then refuses "
                + "connections %s; grace %d s, then close; then the Kairos app restarts%n", tag, opt.get("--rate"), seconds, at, s503,
                refused < 0 ? "until both apps have closed" : "for " + refused + " s", grace);
        Path kairosDir = tmp.resolve(tag + "-kairos");
        Child k = Child.start(KAIROS, "paced", url, kairosDir, tmp, opt, "--rate", opt.get("--rate"), "--seconds", Integer.toString(seconds),
                "--grace", Integer.toString(grace));
        Child sg = Child.start(SEGMENT, "paced", url, tmp.resolve(tag + "-segment"), tmp, opt, "--rate", opt.get("--rate"),
                "--seconds", Integer.toString(seconds), "--grace", Integer.toString(grace));
        long t0 = Math.max(k.awaitStart(60), sg.awaitStart(60));
        sleepUntil(t0 + at * 1000L);
        long outageStart = System.currentTimeMillis();
        if (s503 > 0) {
            collector.fail503();
            sleepUntil(outageStart + s503 * 1000L);
        }
        collector.refuse();
        int limit = seconds + grace + 60;
        Map<String, String> kr;
        Map<String, String> sr;
        long outageEnd;
        if (refused >= 0) {
            sleepUntil(outageStart + (s503 + refused) * 1000L);
            collector.recover();
            outageEnd = System.currentTimeMillis();
            kr = k.await(limit);
            sr = sg.await(limit);
        } else {
            kr = k.await(limit);
            sr = sg.await(limit);
            collector.recover();
            outageEnd = System.currentTimeMillis();
        }
        for (String sdk : List.of(KAIROS, SEGMENT)) {
            Map<String, String> res = sdk.equals(KAIROS) ? kr : sr;
            Collector.Sink s = collector.sink(sdk);
            res.put("uniqueBeforeClose", Long.toString(s.unique()));
            res.put("firstAfterRecovery", Long.toString(s.firstNewAfter(outageEnd)));
            res.put("outageEnd", Long.toString(outageEnd));
            res.put("duplicates", Long.toString(s.duplicates.get()));
            r.put(tag + "-" + sdk, res);
        }
        Child rk = Child.start(KAIROS, "recover", url, kairosDir, tmp, opt, "--grace", opt.get("--recover"));
        Map<String, String> rr = rk.await(Integer.parseInt(opt.get("--recover")) + 30);
        rr.put("uniqueAfterRestart", Long.toString(collector.sink(KAIROS).unique()));
        r.put(tag + "-recover", rr);
        r.put(tag + "-segment-final", Map.of("uniqueAfterRestart", Long.toString(collector.sink(SEGMENT).unique())));
    }

    // ---- the report ---------------------------------------------------------------------------

    static void report(Map<String, Map<String, String>> r, Map<String, String> opt) {
        Map<String, String> bk = r.get("burst-" + KAIROS);
        Map<String, String> bs = r.get("burst-" + SEGMENT);
        long warmup = Long.parseLong(opt.get("--warmup"));
        System.out.println();
        System.out.printf("%-46s %16s %16s %10s%n", "", "Kairos SDK", "Segment 3.5.4", "K / S");
        row("burst: caller cost p50 (µs/call)", us(bk, "costP50Ns"), us(bs, "costP50Ns"), true);
        row("burst: caller cost p99 (µs/call)", us(bk, "costP99Ns"), us(bs, "costP99Ns"), true);
        row("burst: caller cost p99.9 (µs/call)", us(bk, "costP999Ns"), us(bs, "costP999Ns"), true);
        row("burst: caller cost mean (µs/call)", us(bk, "costMeanNs"), us(bs, "costMeanNs"), true);
        row("burst: events delivered (unique)", num(bk, "uniqueTotal") - warmup, num(bs, "uniqueTotal") - warmup, false);
        row("burst: delivered events/s (collector)", rate(bk), rate(bs), false);
        row("burst: peak heap used (MB, sampled)", dbl(bk, "peakHeapUsedMB"), dbl(bs, "peakHeapUsedMB"), true);
        row("burst: peak heap after GC (MB)", dbl(bk, "peakHeapAfterGcMB"), dbl(bs, "peakHeapAfterGcMB"), true);
        for (String tag : List.of("mid", "close")) {
            Map<String, String> ok = r.get(tag + "-" + KAIROS);
            Map<String, String> os = r.get(tag + "-" + SEGMENT);
            Map<String, String> rk = r.get(tag + "-recover");
            Map<String, String> sf = r.get(tag + "-segment-final");
            String p = "outage " + tag + ": ";
            if (tag.equals("mid")) {
                row(p + "caller cost p50 (µs/call)", us(ok, "costP50Ns"), us(os, "costP50Ns"), true);
                row(p + "caller cost p99 (µs/call)", us(ok, "costP99Ns"), us(os, "costP99Ns"), true);
            }
            row(p + "events sent", num(ok, "sent"), num(os, "sent"), false);
            row(p + "delivered before close (unique)", num(ok, "uniqueBeforeClose"), num(os, "uniqueBeforeClose"), false);
            if (tag.equals("mid")) {
                row(p + "1st delivery after recovery (s)", secs(ok.get("firstAfterRecovery"), ok.get("outageEnd")),
                        secs(os.get("firstAfterRecovery"), os.get("outageEnd")), true);
            }
            row(p + "delivered after restart (unique)", num(rk, "uniqueAfterRestart"), num(sf, "uniqueAfterRestart"), false);
            row(p + "EVENTS LOST", num(ok, "sent") - num(rk, "uniqueAfterRestart"), num(os, "sent") - num(sf, "uniqueAfterRestart"), false);
            row(p + "peak heap after GC (MB)", dbl(ok, "peakHeapAfterGcMB"), dbl(os, "peakHeapAfterGcMB"), true);
            row(p + "close() took (ms)", num(ok, "closeMs"), num(os, "closeMs"), true);
        }
        System.out.println();
        System.out.println("SDK counters: burst Kairos " + bk.get("sdkStats") + "; Segment " + bs.get("sdkStats"));
        for (String tag : List.of("mid", "close")) {
            System.out.println("SDK counters: outage " + tag + " Kairos " + r.get(tag + "-" + KAIROS).get("sdkStats") + "; Segment "
                    + r.get(tag + "-" + SEGMENT).get("sdkStats") + "; restarted Kairos " + r.get(tag + "-recover").get("sdkStats")
                    + " (all delivered: " + r.get(tag + "-recover").get("recoverAll") + ", " + r.get(tag + "-recover").get("recoverMillis") + " ms)");
        }
        System.out.println("thread CPU ms, burst: Kairos " + bk.get("threadCpuMs") + " | Segment " + bs.get("threadCpuMs"));
        System.out.println("burst window waits (ms): Kairos " + bk.get("windowWaitMillis") + ", Segment " + bs.get("windowWaitMillis")
                + "; duplicates received: Kairos " + bk.get("duplicates") + ", Segment " + bs.get("duplicates"));
    }

    static void row(String name, double kairos, double segment, boolean lowerIsBetter) {
        String ratio = segment == 0 || Double.isNaN(kairos) || Double.isNaN(segment) ? "–" : String.format(Locale.ROOT, "%.2f", kairos / segment);
        System.out.printf(Locale.ROOT, "%-46s %16s %16s %10s%n", name, fmt(kairos), fmt(segment), ratio);
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) return "n/a";
        if (v == Math.rint(v) && Math.abs(v) >= 100) return String.format(Locale.ROOT, "%,.0f", v);
        return String.format(Locale.ROOT, "%,.2f", v);
    }

    static double us(Map<String, String> m, String key) {
        return m.containsKey(key) ? Long.parseLong(m.get(key).trim()) / 1000.0 : Double.NaN;
    }

    static double num(Map<String, String> m, String key) {
        return m != null && m.containsKey(key) ? Double.parseDouble(m.get(key).trim()) : Double.NaN;
    }

    static double dbl(Map<String, String> m, String key) {
        return num(m, key);
    }

    static double rate(Map<String, String> m) {
        double seconds = (num(m, "lastNewMillis") - num(m, "startMillis")) / 1000.0;
        return Math.round(num(m, "sent") / seconds);
    }

    static double secs(String at, String since) {
        if (at == null || since == null || Long.parseLong(at) <= 0) return Double.NaN;
        return (Long.parseLong(at) - Long.parseLong(since)) / 1000.0;
    }

    static void sleepUntil(long millis) throws InterruptedException {
        long left;
        while ((left = millis - System.currentTimeMillis()) > 0) Thread.sleep(Math.min(left, 100));
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        }
    }

    // ---- a child JVM running one SDK ----------------------------------------------------------

    static final class Child {
        final String name;
        final Process process;
        final Map<String, String> results = new ConcurrentHashMap<>();
        final Thread reader;
        final Path log;

        private Child(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
            this.reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith("RESULT ")) {
                            int eq = line.indexOf('=');
                            results.put(line.substring(7, eq), line.substring(eq + 1));
                            synchronized (this) {
                                notifyAll();
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // the child ended
                }
            }, "child-" + name);
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(String sdk, String mode, String url, Path storage, Path tmp, Map<String, String> opt, String... extra) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xms" + opt.get("--heap"), "-Xmx" + opt.get("--heap")));
            for (String o : opt.get("--child-opts").split(" ")) if (!o.isBlank()) cmd.add(o.replace("%s", sdk + "-" + mode));
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SdkBenchApp.class.getName(), "--sdk", sdk, "--mode", mode,
                    "--url", url, "--storage", storage.toString(), "--batch", opt.get("--batch"), "--interval", opt.get("--interval"), "--kairos-queue", opt.get("--kairos-queue"), "--nodelay", opt.get("--nodelay")));
            cmd.addAll(List.of(extra));
            Path log = tmp.resolve(sdk + "-" + mode + ".log");
            Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
            return new Child(sdk + "-" + mode, p, log);
        }

        /** Waits for the child to say it started its measured part; its wall-clock time. */
        long awaitStart(int seconds) throws InterruptedException {
            long deadline = System.currentTimeMillis() + seconds * 1000L;
            synchronized (this) {
                while (!results.containsKey("startMillis")) {
                    long left = deadline - System.currentTimeMillis();
                    if (left <= 0 || !process.isAlive()) throw new IllegalStateException(name + " did not start; see " + tail());
                    wait(Math.min(left, 200));
                }
            }
            return Long.parseLong(results.get("startMillis"));
        }

        Map<String, String> await(int seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(name + " did not finish in " + seconds + " s; " + tail());
            }
            reader.join(5000);
            if (process.exitValue() != 0) throw new IllegalStateException(name + " exited with " + process.exitValue() + "; " + tail());
            String warn = tail();
            if (!warn.isBlank()) System.out.println("  " + name + " stderr: " + warn.replace("\n", "\n  "));
            return new HashMap<>(results);
        }

        String tail() {
            try {
                List<String> lines = Files.readAllLines(log);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
            } catch (IOException e) {
                return "(no log)";
            }
        }
    }

    // ---- the collector ------------------------------------------------------------------------

    /**
     * Stands in for both back ends: {@code POST /v1/events} (Kairos: gzip JSON
     * {@code {"sentAt", "batch": [...]}}, answered {@code {"accepted", "duplicates", "rejected"}}
     * after de-duplicating by {@code eventId}) and {@code POST /v1/import/} (Segment: plain JSON
     * {@code {"batch": [...], "context", "sentAt", ...}}, answered {@code {"success": true}}; items
     * keyed by {@code messageId}). Can answer 503 or stop listening (connections refused).
     */
    static final class Collector implements AutoCloseable {
        static final JsonFactory JSON = new JsonFactory();
        final int port;
        private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "collector");
            t.setDaemon(true);
            return t;
        });
        private HttpServer server;
        private volatile boolean failing;
        private volatile Sink kairos = new Sink();
        private volatile Sink segment = new Sink();
        final AtomicLong requests = new AtomicLong();
        final AtomicLong answered503 = new AtomicLong();

        /** What one SDK delivered. */
        static final class Sink {
            final Set<String> ids = ConcurrentHashMap.newKeySet();
            final AtomicLong items = new AtomicLong();
            final AtomicLong duplicates = new AtomicLong();
            volatile long lastNewMillis;
            private final List<long[]> arrivals = new ArrayList<>();

            long unique() {
                return ids.size();
            }

            synchronized void arrived(long millis, int fresh) {
                if (fresh > 0) {
                    arrivals.add(new long[] {millis, fresh});
                    lastNewMillis = Math.max(lastNewMillis, millis);
                }
            }

            synchronized long firstNewAfter(long millis) {
                for (long[] a : arrivals) if (a[0] >= millis) return a[0];
                return -1;
            }
        }

        Collector(int port) throws IOException {
            this.port = bind(port);
        }

        Sink sink(String sdk) {
            return KAIROS.equals(sdk) ? kairos : segment;
        }

        void reset() {
            kairos = new Sink();
            segment = new Sink();
        }

        synchronized void fail503() {
            failing = true;
        }

        synchronized void refuse() {
            failing = false;
            server.stop(0);
            server = null;
        }

        synchronized void recover() throws IOException {
            failing = false;
            if (server == null) bind(port);
        }

        private int bind(int p) throws IOException {
            IOException last = null;
            for (int i = 0; i < 50; i++) {
                try {
                    server = HttpServer.create(new InetSocketAddress("127.0.0.1", p), 256);
                    break;
                } catch (java.net.BindException e) {
                    last = e;
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
            }
            if (server == null) throw last;
            server.createContext("/v1/events", ex -> handle(ex, true));
            server.createContext("/v1/import", ex -> handle(ex, false));
            server.setExecutor(pool);
            server.start();
            return server.getAddress().getPort();
        }

        private void handle(HttpExchange ex, boolean isKairos) throws IOException {
            requests.incrementAndGet();
            try (InputStream raw = ex.getRequestBody()) {
                if (failing) {
                    raw.readAllBytes();
                    answered503.incrementAndGet();
                    reply(ex, 503, "{\"error\":{\"code\":\"unavailable\"}}");
                    return;
                }
                Sink sink = isKairos ? kairos : segment;
                InputStream in = "gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding")) ? new GZIPInputStream(raw, 8192) : raw;
                int fresh = 0;
                int dup = 0;
                int workload = 0;
                String idField = isKairos ? "eventId" : "messageId";
                try (JsonParser p = JSON.createParser(in)) {
                    if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("not an object");
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.getCurrentName();
                        JsonToken t = p.nextToken();
                        if (!"batch".equals(field) || t != JsonToken.START_ARRAY) {
                            p.skipChildren();
                            continue;
                        }
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            String id = null;
                            String type = null;
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String f = p.getCurrentName();
                                JsonToken v = p.nextToken();
                                if (idField.equals(f) && v == JsonToken.VALUE_STRING) id = p.getText();
                                else if ("type".equals(f) && v == JsonToken.VALUE_STRING) type = p.getText();
                                else p.skipChildren();
                            }
                            if ("identify".equals(type)) {
                                // Kairos' identify() sends one event per client: accepted, not part of the workload.
                                fresh++;
                                continue;
                            }
                            sink.items.incrementAndGet();
                            if (id != null && sink.ids.add(id)) {
                                fresh++;
                                workload++;
                            } else {
                                dup++;
                            }
                        }
                    }
                }
                sink.duplicates.addAndGet(dup);
                sink.arrived(System.currentTimeMillis(), workload);
                reply(ex, 200, isKairos ? "{\"accepted\": " + fresh + ", \"duplicates\": " + dup + ", \"rejected\": []}" : "{\"success\": true}");
            } catch (IOException | RuntimeException e) {
                reply(ex, 400, "{\"error\":{\"code\":\"bad_request\",\"message\":\"" + e.getClass().getSimpleName() + "\"}}");
            }
        }

        private static void reply(HttpExchange ex, int status, String body) throws IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }

        @Override
        public synchronized void close() {
            if (server != null) server.stop(0);
            pool.shutdownNow();
        }
    }
}
