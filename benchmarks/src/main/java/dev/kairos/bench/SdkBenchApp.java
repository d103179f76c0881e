package dev.kairos.bench;

import com.segment.analytics.Analytics;
import com.segment.analytics.messages.Message;
import com.segment.analytics.messages.TrackMessage;
import com.sun.management.GarbageCollectionNotificationInfo;
import dev.kairos.sdk.Callback;
import dev.kairos.sdk.Kairos;
import dev.kairos.sdk.KairosLogger;

import okhttp3.OkHttpClient;

import javax.management.NotificationEmitter;
import javax.net.SocketFactory;
import javax.management.openmbean.CompositeData;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The app side of {@link SdkVsSegment}: one SDK in its own JVM, sending the same workload as the
 * other. Prints {@code RESULT key=value} lines on stdout for the parent.
 *
 * <ul>
 *   <li>{@code burst}: warm-up, then {@code --events} tracks back to back from one thread, keeping
 *       at most {@code --window} events tracked but not yet confirmed delivered by the SDK's own
 *       callback (the same rule for both SDKs, so neither drops nor grows without bound). Measures
 *       the caller-thread cost of every call and the delivery rate.</li>
 *   <li>{@code paced}: {@code --rate} events/s for {@code --seconds}, while the parent fails the
 *       collector for a while; then flush, at most {@code --grace} s to deliver, close.</li>
 *   <li>{@code recover} (Kairos only): a new client on the same storage directory, as an app
 *       restarted after the paced run; delivers what the previous one left on disk.</li>
 * </ul>
 */
public final class SdkBenchApp {
    static final String KEY = "wk_sdk_bench";
    static final String USER = "user-42";

    /** One SDK behind the same three calls. */
    interface Sdk {
        void track(String type, Map<String, Object> properties);
        void flush();
        void close();
        long delivered();
        String stats();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
        String sdkName = opt.get("--sdk");
        String mode = opt.get("--mode");
        String url = opt.get("--url");
        int batch = Integer.parseInt(opt.getOrDefault("--batch", "100"));
        int intervalS = Integer.parseInt(opt.getOrDefault("--interval", "10"));
        int queue = Integer.parseInt(opt.getOrDefault("--kairos-queue", "100000"));
        Path storage = Path.of(opt.getOrDefault("--storage", "/tmp/kairos-sdk-bench"));
        boolean noDelay = Boolean.parseBoolean(opt.getOrDefault("--nodelay", "true"));

        HeapWatch heap = HeapWatch.start();
        Sdk sdk = "kairos".equals(sdkName) ? kairos(url, storage, batch, intervalS, queue, !"recover".equals(mode), noDelay) : segment(url, batch, intervalS, noDelay);
        switch (mode) {
            case "burst":
                burst(sdk, Integer.parseInt(opt.getOrDefault("--warmup", "30000")), Integer.parseInt(opt.getOrDefault("--events", "100000")),
                        Integer.parseInt(opt.getOrDefault("--window", "5000")));
                break;
            case "paced":
                paced(sdk, Integer.parseInt(opt.getOrDefault("--rate", "1000")), Integer.parseInt(opt.getOrDefault("--seconds", "50")),
                        Integer.parseInt(opt.getOrDefault("--grace", "30")));
                break;
            case "recover":
                recover(sdk, Integer.parseInt(opt.getOrDefault("--grace", "20")));
                break;
            default:
                throw new IllegalArgumentException("mode " + mode);
        }
        result("threadCpuMs", threadCpu());
        long closeStart = System.nanoTime();
        sdk.close();
        result("closeMs", (System.nanoTime() - closeStart) / 1_000_000);
        result("sdkStats", sdk.stats());
        heap.stop();
        result("peakHeapUsedMB", String.format(Locale.ROOT, "%.1f", heap.peakUsed / 1048576.0));
        result("peakHeapAfterGcMB", String.format(Locale.ROOT, "%.1f", heap.peakAfterGc / 1048576.0));
        result("gcCount", heap.gcCount());
        System.out.flush();
        System.exit(0);
    }

    // ---- workloads ----------------------------------------------------------------------------

    /** The same event for both SDKs: a product view with five properties. */
    static Map<String, Object> properties(long i) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("productId", "sku-" + (i % 5000));
        p.put("category", "dresses");
        p.put("price", 49.9 + (i % 50));
        p.put("currency", "EUR");
        p.put("position", (int) (i % 24));
        return p;
    }

    static void burst(Sdk sdk, int warmup, int events, int window) {
        long[] cost = new long[events];
        run(sdk, warmup, window, null, 0);
        if (!awaitDelivered(sdk, warmup, 60)) result("warning", "warm-up not delivered in 60 s: " + sdk.stats());
        System.gc();
        long start = System.currentTimeMillis();
        result("startMillis", start);
        long waited = run(sdk, events, window, cost, warmup);
        long tracked = System.currentTimeMillis();
        sdk.flush();
        boolean all = awaitDelivered(sdk, (long) warmup + events, 120);
        long end = System.currentTimeMillis();
        result("sent", events);
        result("trackMillis", tracked - start);
        result("windowWaitMillis", waited / 1_000_000);
        result("sdkDeliveredAll", all);
        result("sdkEndMillis", end);
        percentiles("cost", cost, 0);
    }

    /** Tracks {@code n} events back to back, waiting while {@code window} are undelivered; returns the ns spent waiting. */
    static long run(Sdk sdk, int n, int window, long[] cost, long offset) {
        long waited = 0;
        for (int i = 0; i < n; i++) {
            if ((i & 63) == 0) {
                long w0 = System.nanoTime();
                while (offset + i - sdk.delivered() >= window) LockSupport.parkNanos(500_000);
                waited += System.nanoTime() - w0;
            }
            Map<String, Object> p = properties(offset + i);
            long t0 = System.nanoTime();
            sdk.track("product_view", p);
            long t1 = System.nanoTime();
            if (cost != null) cost[i] = t1 - t0;
        }
        return waited;
    }

    static void paced(Sdk sdk, int rate, int seconds, int grace) {
        int total = rate * seconds;
        long[] cost = new long[total];
        long interval = 1_000_000_000L / rate;
        long start = System.currentTimeMillis();
        result("startMillis", start);
        long t = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long due = t + i * interval;
            long now;
            while ((now = System.nanoTime()) < due) {
                if (due - now > 200_000) LockSupport.parkNanos(due - now - 100_000);
            }
            Map<String, Object> p = properties(i);
            long t0 = System.nanoTime();
            sdk.track("product_view", p);
            cost[i] = System.nanoTime() - t0;
        }
        result("sent", total);
        result("trackEndMillis", System.currentTimeMillis());
        sdk.flush();
        boolean all = awaitDelivered(sdk, total, grace);
        result("sdkDeliveredAll", all);
        result("sdkDelivered", sdk.delivered());
        result("endMillis", System.currentTimeMillis());
        // The first 5 s warm the JIT up; they are left out of the cost figures.
        percentiles("cost", cost, Math.min(total / 2, rate * 5));
    }

    /** Kairos only: delivers what the previous client left in the queue file, within {@code grace} s. */
    static void recover(Sdk sdk, int grace) {
        long start = System.currentTimeMillis();
        // flush(timeout) waits for every item queued before it, the ones read back from disk included.
        boolean all = ((KairosSdk) sdk).kairos.flush(Duration.ofSeconds(grace));
        result("recoverAll", all);
        result("recoverMillis", System.currentTimeMillis() - start);
        result("sdkDelivered", sdk.delivered());
    }

    static boolean awaitDelivered(Sdk sdk, long target, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (sdk.delivered() < target) {
            if (System.nanoTime() > deadline) return false;
            LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    static void percentiles(String name, long[] ns, int skip) {
        long[] s = Arrays.copyOfRange(ns, skip, ns.length);
        Arrays.sort(s);
        if (s.length == 0) return;
        result(name + "P50Ns", s[(int) (s.length * 0.50)]);
        result(name + "P99Ns", s[(int) Math.min(s.length - 1, s.length * 0.99)]);
        result(name + "P999Ns", s[(int) Math.min(s.length - 1, s.length * 0.999)]);
        result(name + "MaxNs", s[s.length - 1]);
        double sum = 0;
        for (long v : s) sum += v;
        result(name + "MeanNs", String.format(Locale.ROOT, "%.0f", sum / s.length));
    }

    /** CPU time of the busiest live threads, "name:ms" (where an SDK spends its work). */
    static String threadCpu() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> byName = new java.util.TreeMap<>();
        for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t == null) continue;
            long ns = threads.getThreadCpuTime(t.getThreadId());
            if (ns <= 0) continue;
            String name = t.getThreadName().replaceAll("[0-9]+", "#");
            byName.merge(name, ns / 1_000_000, Long::sum);
        }
        StringBuilder out = new StringBuilder();
        byName.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(6)
                .forEach(e -> out.append(out.length() == 0 ? "" : ", ").append(e.getKey()).append(':').append(e.getValue()));
        return out.toString();
    }

    static void result(String key, Object value) {
        System.out.println("RESULT " + key + "=" + value);
    }

    // ---- the two SDKs -------------------------------------------------------------------------

    static Sdk kairos(String url, Path storage, int batch, int intervalS, int queue, boolean identify, boolean noDelay) {
        AtomicLong delivered = new AtomicLong();
        AtomicLong dropped = new AtomicLong();
        Kairos.Builder builder = Kairos.builder(KEY);
        // The SDK's default client: 10 s timeouts.
        if (noDelay) builder.client(http(10, true));
        Kairos k = builder.baseUrl(url).storageDirectory(storage)
                .flushAt(batch).maxBatchSize(batch).flushInterval(Duration.ofSeconds(intervalS)).maxQueueSize(queue)
                .logger((level, message, error) -> {
                    if (level.compareTo(KairosLogger.Level.INFO) >= 0 && !message.startsWith("dropped")) {
                        System.err.println("[kairos] " + level + " " + message + (error == null ? "" : ": " + error));
                    }
                })
                .callback(new Callback() {
                    @Override
                    public void onDelivered(String path, int accepted, int duplicates) {
                        delivered.addAndGet(accepted + duplicates);
                    }

                    @Override
                    public void onDropped(String path, int count, String reason) {
                        dropped.addAndGet(count);
                    }
                })
                .build();
        // A restarted app already has the user in its stored identity.
        if (identify) k.identify(USER, null);
        return new KairosSdk(k, delivered, dropped, identify ? 1 : 0);
    }

    static final class KairosSdk implements Sdk {
        final Kairos kairos;
        final AtomicLong delivered;
        final AtomicLong dropped;
        // identify() sends one event too: left out so that "delivered" counts tracked events.
        final long identifyEvents;

        KairosSdk(Kairos kairos, AtomicLong delivered, AtomicLong dropped, long identifyEvents) {
            this.kairos = kairos;
            this.delivered = delivered;
            this.dropped = dropped;
            this.identifyEvents = identifyEvents;
        }

        @Override public void track(String type, Map<String, Object> properties) { kairos.track(type, properties); }
        @Override public void flush() { kairos.flush(); }
        @Override public void close() { kairos.close(); }
        @Override public long delivered() { return Math.max(0, delivered.get() - identifyEvents); }
        @Override public String stats() { return kairos.stats() + " droppedByCallback=" + dropped.get(); }
    }

    static Sdk segment(String url, int batch, int intervalS, boolean noDelay) {
        AtomicLong ok = new AtomicLong();
        AtomicLong failedAttempts = new AtomicLong();
        AtomicLong givenUp = new AtomicLong();
        Analytics.Builder builder = Analytics.builder(KEY);
        // The library's default client: 15 s timeouts.
        if (noDelay) builder.client(http(15, true));
        Analytics a = builder.endpoint(url).flushQueueSize(batch).flushInterval(intervalS, TimeUnit.SECONDS)
                .callback(new com.segment.analytics.Callback() {
                    @Override
                    public void success(Message message) {
                        ok.incrementAndGet();
                    }

                    @Override
                    public void failure(Message message, Throwable error) {
                        // Called on every failed attempt of a batch, and once more when retries are exhausted.
                        if (String.valueOf(error.getMessage()).contains("retries exhausted")) givenUp.incrementAndGet();
                        else failedAttempts.incrementAndGet();
                    }
                })
                .build();
        // Kairos captures this context once and adds it to every event; a Segment app passes it itself.
        Map<String, Object> device = new LinkedHashMap<>();
        device.put("os", System.getProperty("os.name", "unknown"));
        device.put("osVersion", System.getProperty("os.version", ""));
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("timezone", TimeZone.getDefault().getID());
        context.put("locale", Locale.getDefault().toLanguageTag());
        context.put("device", device);
        String anonymousId = java.util.UUID.randomUUID().toString();
        return new Sdk() {
            @Override
            public void track(String type, Map<String, Object> properties) {
                a.enqueue(TrackMessage.builder(type).userId(USER).anonymousId(anonymousId).context(context).properties(properties));
            }

            @Override public void flush() { a.flush(); }
            @Override public void close() { a.flush(); a.shutdown(); }
            @Override public long delivered() { return ok.get(); }
            @Override public String stats() {
                return "{success=" + ok.get() + ", failedAttemptItems=" + failedAttempts.get() + ", givenUpItems=" + givenUp.get() + "}";
            }
        };
    }

    /** An OkHttp client with the SDK's default timeouts whose sockets send at once (TCP_NODELAY). */
    static OkHttpClient http(int timeoutSeconds, boolean noDelay) {
        return new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(timeoutSeconds)).readTimeout(Duration.ofSeconds(timeoutSeconds))
                .writeTimeout(Duration.ofSeconds(timeoutSeconds)).socketFactory(new NoDelaySockets(noDelay)).build();
    }

    /** Plain sockets with TCP_NODELAY set, so a request body written in several pieces is not held back by Nagle. */
    static final class NoDelaySockets extends SocketFactory {
        private final boolean noDelay;

        NoDelaySockets(boolean noDelay) {
            this.noDelay = noDelay;
        }

        private Socket configure(Socket s) throws IOException {
            s.setTcpNoDelay(noDelay);
            return s;
        }

        @Override public Socket createSocket() throws IOException { return configure(new Socket()); }
        @Override public Socket createSocket(String host, int port) throws IOException { return configure(new Socket(host, port)); }
        @Override public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
            return configure(new Socket(host, port, local, localPort));
        }
        @Override public Socket createSocket(InetAddress host, int port) throws IOException { return configure(new Socket(host, port)); }
        @Override public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
            return configure(new Socket(host, port, local, localPort));
        }
    }

    // ---- heap ---------------------------------------------------------------------------------

    /** Peak heap used, sampled every 10 ms, and the peak of the heap left after each GC. */
    static final class HeapWatch {
        volatile long peakUsed;
        volatile long peakAfterGc;
        private volatile boolean running = true;
        private final Thread sampler;

        private HeapWatch() {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            sampler = new Thread(() -> {
                while (running) {
                    long used = memory.getHeapMemoryUsage().getUsed();
                    if (used > peakUsed) peakUsed = used;
                    LockSupport.parkNanos(10_000_000);
                }
            }, "heap-sampler");
            sampler.setDaemon(true);
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (!(gc instanceof NotificationEmitter)) continue;
                ((NotificationEmitter) gc).addNotificationListener((n, handback) -> {
                    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) return;
                    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                    long after = 0;
                    for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                        if (isHeap(e.getKey())) after += e.getValue().getUsed();
                    }
                    synchronized (this) {
                        if (after > peakAfterGc) peakAfterGc = after;
                    }
                }, null, null);
            }
        }

        static boolean isHeap(String pool) {
            return pool.contains("Eden") || pool.contains("Survivor") || pool.contains("Old Gen") || pool.contains("Tenured")
                    || pool.contains("ZHeap") || pool.contains("Humongous");
        }

        static HeapWatch start() {
            HeapWatch w = new HeapWatch();
            w.sampler.start();
            return w;
        }

        long gcCount() {
            long n = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) n += Math.max(0, gc.getCollectionCount());
            return n;
        }

        void stop() {
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (used > peakUsed) peakUsed = used;
            running = false;
        }
    }
}
