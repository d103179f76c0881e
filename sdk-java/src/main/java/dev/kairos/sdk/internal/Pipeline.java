package dev.kairos.sdk.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.sdk.Backoff;
import dev.kairos.sdk.Callback;
import dev.kairos.sdk.KairosLogger;
import dev.kairos.sdk.KairosLogger.Level;
import dev.kairos.sdk.Stats;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.GZIPOutputStream;

/**
 * The delivery machinery: a bounded in-memory hand-off from the caller's thread, the persist worker
 * ({@code kairos-persist}: serializes, adds the context, appends to the queue files) and the send
 * worker ({@code kairos-sender}: gzip batches, retries, callbacks). The caller's thread only ever
 * offers to the hand-off.
 */
public final class Pipeline {
    /** Everything the pipeline needs; filled by {@code Kairos.Builder}. */
    public static final class Settings {
        public HttpUrl baseUrl;
        public String writeKey;
        public Path storageDirectory;
        public int flushAt;
        public Duration flushInterval;
        public long flushBytes;
        public int maxQueueSize;
        public int maxBatchSize;
        public int maxEventBytes;
        public int inboxCapacity;
        public OkHttpClient http;
        public KairosLogger logger;
        public Callback callback;
        public ContextBuilder contexts;
        public Backoff backoff;
        public Duration closeTimeout;
    }

    public static final String EVENTS_PATH = "/v1/events";
    public static final String OUTCOMES_PATH = "/v1/outcomes";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final long MAX_RETRY_AFTER_MS = Duration.ofHours(1).toMillis();
    /** Server errors (500 and the like) in a row for one batch before it is split to find a poison item. */
    static final int SPLIT_AFTER_SERVER_ERRORS = 3;
    /** Server errors in a row for a single item, while others got through, before it is given up. */
    public static final int DROP_AFTER_SERVER_ERRORS = 5;
    /** After work, the persist worker naps this long between looks at the hand-off ... */
    private static final long NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** ... this many times (100 ms) before it goes back to waiting to be woken. */
    private static final int ACTIVE_NAPS = 50;

    private final Settings s;
    private final ContextBuilder contexts;
    private final Identity identity;
    private final ArrayBlockingQueue<Pending> inbox;
    private final Lane events = new Lane(EVENTS_PATH, "eventId");
    private final Lane outcomes = new Lane(OUTCOMES_PATH, "outcomeId");
    private final Thread persister;
    private final Thread sender;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final CountDownLatch ready = new CountDownLatch(1);
    private boolean flushRequested;
    private volatile boolean periodic = true;
    private volatile boolean closing;
    private volatile long closeDeadline;
    private final java.util.concurrent.atomic.AtomicBoolean warnedClosed = new java.util.concurrent.atomic.AtomicBoolean();

    private final LongAdder tracked = new LongAdder();
    private final AtomicLong persisted = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final LongAdder droppedInMemory = new LongAdder();

    /** One stream of items to one endpoint, with its queue. */
    final class Lane {
        final String path;
        final String idField;
        EventQueue queue;
        long appended;
        long removed;
        boolean inFlight;
        /** {@link #clear()} ran while a batch was in flight: its completion removes nothing. */
        boolean clearedInFlight;
        /** Batches this lane delivered: a poison item is only given up while others get through. */
        long deliveredBatches;
        final List<long[]> waiterTargets = new ArrayList<>();
        final List<Runnable> waiters = new ArrayList<>();

        Lane(String path, String idField) {
            this.path = path;
            this.idField = idField;
        }

        synchronized void append(List<byte[]> items) throws IOException {
            if (items.isEmpty()) return;
            queue.addAll(items);
            appended += items.size();
            persisted.addAndGet(items.size());
            if (!inFlight) enforceBound();
        }

        /** Drops the oldest items above the bound (never the batch in flight: called only when none is). */
        synchronized void enforceBound() throws IOException {
            int excess = queue.size() - s.maxQueueSize;
            if (excess > 0) {
                queue.remove(excess);
                removed += excess;
                dropped.addAndGet(excess);
                notifyDropped(path, excess, "queue_full");
                releaseWaiters();
            }
        }

        synchronized void completed(int n) throws IOException {
            if (clearedInFlight) {
                // The queue was cleared under the batch in flight: its items are gone already.
                clearedInFlight = false;
                inFlight = false;
                releaseWaiters();
                return;
            }
            queue.remove(n);
            removed += n;
            inFlight = false;
            enforceBound();
            releaseWaiters();
        }

        /** Drops every queued item (memory and file), also those of a batch in flight. */
        synchronized int clear() throws IOException {
            int n = queue.size();
            queue.remove(n);
            removed += n;
            if (inFlight) clearedInFlight = true;
            releaseWaiters();
            return n;
        }

        /** Runs {@code whenDone} once every item appended so far has left the queue (sent, refused or dropped). */
        synchronized void addWaiter(Runnable whenDone) {
            waiterTargets.add(new long[] {appended});
            waiters.add(whenDone);
            releaseWaiters();
        }

        synchronized void releaseWaiters() {
            for (int i = waiters.size() - 1; i >= 0; i--) {
                if (removed >= waiterTargets.get(i)[0]) {
                    waiters.remove(i).run();
                    waiterTargets.remove(i);
                }
            }
        }

        synchronized void releaseAll() {
            for (Runnable w : waiters) w.run();
            waiters.clear();
            waiterTargets.clear();
        }
    }

    public Pipeline(Settings settings, Identity identity) {
        this.s = settings;
        this.contexts = settings.contexts;
        this.identity = identity;
        this.inbox = new ArrayBlockingQueue<>(settings.inboxCapacity);
        this.persister = new Thread(this::persistLoop, "kairos-persist");
        this.sender = new Thread(this::sendLoop, "kairos-sender");
        persister.setDaemon(true);
        sender.setDaemon(true);
        persister.start();
        sender.start();
    }

    // ---- caller's thread -------------------------------------------------------------------

    /** Hands {@code p} to the persist worker; never blocks. When the hand-off is full, its oldest item is dropped. */
    public void offer(Pending p) {
        if (closing) {
            if (warnedClosed.compareAndSet(false, true)) log(Level.WARN, "ignoring calls after close()", null);
            return;
        }
        if (p.kind == Pending.Kind.EVENT || p.kind == Pending.Kind.OUTCOME) tracked.increment();
        while (!inbox.offer(p)) {
            Pending oldest = inbox.poll();
            if (oldest == null) continue;
            if (oldest.kind == Pending.Kind.EVENT || oldest.kind == Pending.Kind.OUTCOME) {
                droppedInMemory.increment();
                dropped.incrementAndGet();
            } else if (oldest.kind == Pending.Kind.FLUSH) {
                oldest.done.countDown();
            }
            // A dropped PERSIST is never counted down: its waiter times out, as nothing was written.
        }
    }

    public void requestFlush() {
        lock.lock();
        try {
            flushRequested = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public void setPeriodicFlush(boolean on) {
        periodic = on;
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public Stats stats() {
        int queued = 0;
        for (Lane lane : java.util.Arrays.asList(events, outcomes)) {
            synchronized (lane) {
                if (lane.queue != null) queued += lane.queue.size();
            }
        }
        return new Stats(tracked.sum(), persisted.get(), delivered.get(), rejected.get(), failed.get(), dropped.get(), queued);
    }

    /** Waits until the queues are open (or {@code timeoutMs} passed); for tests and {@code close()}. */
    public boolean awaitReady(long timeoutMs) throws InterruptedException {
        return ready.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** Stops taking items, persists what was handed over, delivers what it can before {@code closeTimeout}, stops the workers. */
    public void close() {
        if (closing) return;
        closeDeadline = System.nanoTime() + s.closeTimeout.toNanos();
        closing = true;
        try {
            persister.join(Math.max(1, s.closeTimeout.toMillis()));
            requestFlush();
            sender.join(Math.max(1, s.closeTimeout.toMillis() + 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.interrupt();
        for (Lane lane : java.util.Arrays.asList(events, outcomes)) {
            synchronized (lane) {
                if (lane.queue == null) continue;
                if (lane.queue instanceof MemoryEventQueue && lane.queue.size() > 0) {
                    int lost = lane.queue.size();
                    dropped.addAndGet(lost);
                    notifyDropped(lane.path, lost, "closed");
                }
                try {
                    lane.queue.close();
                } catch (IOException e) {
                    log(Level.WARN, "could not close the queue of " + lane.path, e);
                }
                lane.releaseAll();
            }
        }
    }

    // ---- kairos-persist ---------------------------------------------------------------------

    private void persistLoop() {
        try {
            open();
        } finally {
            ready.countDown();
        }
        List<Pending> batch = new ArrayList<>(512);
        List<byte[]> eventBytes = new ArrayList<>();
        List<byte[]> outcomeBytes = new ArrayList<>();
        int naps = 0;
        while (true) {
            batch.clear();
            try {
                Pending first = inbox.poll();
                if (first == null) {
                    if (closing) break;
                    if (naps < ACTIVE_NAPS) {
                        // Recently busy: nap briefly instead of waiting on the queue, so the app's
                        // calls hand over without having to wake this thread each time.
                        java.util.concurrent.locks.LockSupport.parkNanos(NAP_NANOS);
                        naps++;
                        continue;
                    }
                    // Idle: sleep until the app hands something over (no timer wake-ups).
                    first = inbox.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) continue;
                }
                naps = 0;
                batch.add(first);
                inbox.drainTo(batch, 511);
            } catch (InterruptedException e) {
                if (closing) break;
                continue;
            }
            for (Pending p : batch) {
                try {
                    switch (p.kind) {
                        case EVENT:
                            // Handed over before the stored opt-out was read, or just before optOut(): not kept.
                            if (!identity.optedOutIfLoaded()) addIfFits(eventBytes, serializeEvent(p), events.path, p);
                            break;
                        case OUTCOME:
                            if (!identity.optedOutIfLoaded()) addIfFits(outcomeBytes, serializeOutcome(p), outcomes.path, p);
                            break;
                        case OPT_OUT:
                            eventBytes.clear();
                            outcomeBytes.clear();
                            int cleared = events.clear() + outcomes.clear();
                            identity.save(s.storageDirectory);
                            if (cleared > 0) log(Level.INFO, "opted out: dropped " + cleared + " queued items", null);
                            break;
                        case IDENTITY:
                            appendAll(eventBytes, outcomeBytes);
                            // The identity as it is now (the call's snapshot may predate reading it from disk).
                            identity.save(s.storageDirectory);
                            break;
                        case FLUSH:
                            appendAll(eventBytes, outcomeBytes);
                            java.util.concurrent.atomic.AtomicInteger lanes = new java.util.concurrent.atomic.AtomicInteger(2);
                            Runnable laneDone = () -> {
                                if (lanes.decrementAndGet() == 0) p.done.countDown();
                            };
                            events.addWaiter(laneDone);
                            outcomes.addWaiter(laneDone);
                            requestFlush();
                            break;
                        case PERSIST:
                            appendAll(eventBytes, outcomeBytes); // throws when the write failed: no count-down
                            p.done.countDown();
                            break;
                        default:
                            break;
                    }
                } catch (IOException | RuntimeException e) {
                    log(Level.ERROR, "could not persist an item", e);
                }
            }
            try {
                appendAll(eventBytes, outcomeBytes);
            } catch (IOException e) {
                log(Level.ERROR, "could not write to the queue", e);
            }
            long memoryDrops = droppedInMemory.sumThenReset();
            if (memoryDrops > 0) notifyDropped(events.path, (int) memoryDrops, "memory_full");
            if (due()) wakeSender();
        }
    }

    private void open() {
        identity.load(s.storageDirectory);
        try {
            if (s.storageDirectory != null) {
                Files.createDirectories(s.storageDirectory);
                identity.save(s.storageDirectory);
            }
        } catch (IOException e) {
            log(Level.WARN, "cannot save the anonymous id under " + s.storageDirectory, e);
        }
        events.queue = openQueue("events.queue");
        outcomes.queue = openQueue("outcomes.queue");
        if (identity.optedOutIfLoaded() && events.queue.size() + outcomes.queue.size() > 0) {
            // Opted out, but the process died before the queue was cleared: clear it now.
            try {
                events.queue.remove(events.queue.size());
                outcomes.queue.remove(outcomes.queue.size());
            } catch (IOException e) {
                log(Level.ERROR, "cannot clear the queue of an opted-out user", e);
            }
        }
        events.appended = events.queue.size();
        outcomes.appended = outcomes.queue.size();
        if (events.queue.size() + outcomes.queue.size() > 0) {
            log(Level.INFO, "recovered " + events.queue.size() + " events and " + outcomes.queue.size() + " outcomes from disk", null);
            requestFlush();
        }
    }

    private EventQueue openQueue(String name) {
        if (s.storageDirectory == null) return new MemoryEventQueue();
        try {
            Files.createDirectories(s.storageDirectory);
            return new FileEventQueue(s.storageDirectory.resolve(name), s.logger);
        } catch (IOException | RuntimeException e) {
            log(Level.ERROR, "cannot use the queue file " + s.storageDirectory.resolve(name) + "; keeping items in memory", e);
            return new MemoryEventQueue();
        }
    }

    private void addIfFits(List<byte[]> out, byte[] json, String path, Pending p) {
        if (json == null) return;
        if (json.length > s.maxEventBytes) {
            rejected.incrementAndGet();
            notifyRejected(path, null, "too_large", "the item is " + json.length + " bytes as JSON; the limit is " + s.maxEventBytes);
            return;
        }
        out.add(json);
    }

    private void appendAll(List<byte[]> eventBytes, List<byte[]> outcomeBytes) throws IOException {
        try {
            events.append(eventBytes);
            outcomes.append(outcomeBytes);
        } finally {
            eventBytes.clear();
            outcomeBytes.clear();
        }
    }

    private byte[] serializeEvent(Pending p) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.getFactory().createGenerator(buf)) {
            g.writeStartObject();
            g.writeStringField("eventId", p.eventId != null ? p.eventId : UUID.randomUUID().toString());
            g.writeStringField("type", p.type);
            writeIdentity(g, p);
            g.writeStringField("timestamp", Instant.ofEpochMilli(p.timestamp).toString());
            g.writeFieldName("properties");
            Values.write(g, p.properties);
            g.writeFieldName("context");
            contexts.write(g, p.sessionId, p.sessionStart);
            g.writeEndObject();
        }
        return buf.toByteArray();
    }

    private byte[] serializeOutcome(Pending p) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(200);
        try (JsonGenerator g = JSON.getFactory().createGenerator(buf)) {
            g.writeStartObject();
            g.writeStringField("outcomeId", UUID.randomUUID().toString());
            g.writeStringField("decisionId", p.decisionId);
            g.writeStringField("placement", p.placement);
            g.writeStringField("type", p.type);
            writeIdentity(g, p);
            if (p.rule != null) g.writeStringField("rule", p.rule);
            g.writeStringField("timestamp", Instant.ofEpochMilli(p.timestamp).toString());
            g.writeEndObject();
        }
        return buf.toByteArray();
    }

    private void writeIdentity(JsonGenerator g, Pending p) throws IOException {
        String userId = p.userId;
        String anonymousId = p.anonymousId;
        if (anonymousId == null && !p.scoped) {
            // Tracked before the stored identity was read: it is known now.
            userId = identity.userId();
            anonymousId = identity.anonymousIdIfLoaded();
        }
        if (userId != null) g.writeStringField("userId", userId);
        if (anonymousId != null) g.writeStringField("anonymousId", anonymousId);
        if (p.sessionId != null) g.writeStringField("sessionId", p.sessionId);
    }

    // ---- kairos-sender ----------------------------------------------------------------------

    private boolean due() {
        for (Lane lane : java.util.Arrays.asList(events, outcomes)) {
            synchronized (lane) {
                if (lane.queue != null && (lane.queue.size() >= s.flushAt || lane.queue.bytes() >= s.flushBytes)) return true;
            }
        }
        return false;
    }

    private void wakeSender() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void sendLoop() {
        try {
            ready.await();
        } catch (InterruptedException e) {
            return;
        }
        long nextTick = System.nanoTime() + s.flushInterval.toNanos();
        while (true) {
            boolean drainAll;
            lock.lock();
            try {
                while (!flushRequested && !closing && !due()) {
                    if (!periodic) {
                        // Paused (an app in the background): no timer at all; a size trigger,
                        // flush(), resume or close wakes this thread.
                        wake.await();
                        continue;
                    }
                    long wait = nextTick - System.nanoTime();
                    if (wait <= 0) break;
                    wake.awaitNanos(wait);
                }
                drainAll = flushRequested || closing || (periodic && System.nanoTime() - nextTick >= 0);
                flushRequested = false;
            } catch (InterruptedException e) {
                if (closing) return;
                continue;
            } finally {
                lock.unlock();
            }
            if (periodic && System.nanoTime() - nextTick >= 0) nextTick = System.nanoTime() + s.flushInterval.toNanos();
            if (closing && persister.isAlive()) {
                // Let the persist worker write what the app handed over before the last deliveries.
                try {
                    persister.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(closeDeadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (!deliver(drainAll) && closing) return;
            if (closing && events.queue.size() == 0 && outcomes.queue.size() == 0) return;
            if (closing && System.nanoTime() - closeDeadline >= 0) return;
        }
    }

    /**
     * Sends batches from both lanes: everything when {@code drainAll}, else until both are under the
     * flush thresholds. Returns {@code false} when it stopped because the server is unavailable and
     * the close deadline passed.
     */
    private boolean deliver(boolean drainAll) {
        int attempt = 0;
        int batchLimit = s.maxBatchSize;
        // Poison isolation: a batch the server keeps failing with a server error (not an outage:
        // 502/503/504 and network errors do not count) is halved until the item it chokes on stands
        // alone; that item is given up after DROP_AFTER_SERVER_ERRORS tries if other batches get
        // through meanwhile (the server works, only this item breaks it).
        int serverErrors = 0;
        int suspects = 0;              // items at the head among which the poison is; 0: not isolating
        long deliveredWhenStuck = -1;  // batches delivered when isolating began
        while (true) {
            Lane lane = events.queue.size() > 0 ? events : outcomes.queue.size() > 0 ? outcomes : null;
            if (lane == null) return true;
            if (!drainAll && !due()) return true;
            List<byte[]> batch;
            synchronized (lane) {
                try {
                    batch = lane.queue.peek(batchLimit, s.flushBytes);
                } catch (IOException e) {
                    log(Level.ERROR, "cannot read the queue of " + lane.path, e);
                    return true;
                }
                if (batch.isEmpty()) continue;
                lane.inFlight = true;
            }
            Result r = post(lane, batch);
            try {
                if (r.kind == Result.Kind.DONE) {
                    lane.completed(batch.size());
                    lane.deliveredBatches++;
                    attempt = 0;
                    serverErrors = 0;
                    suspects = Math.max(0, suspects - batch.size());
                    batchLimit = suspects == 0 ? s.maxBatchSize : Math.min(batchLimit, suspects);
                    continue;
                }
                if (r.serverError) {
                    serverErrors++;
                    if (batch.size() > 1 && serverErrors >= SPLIT_AFTER_SERVER_ERRORS) {
                        synchronized (lane) {
                            lane.inFlight = false;
                            lane.clearedInFlight = false;
                            lane.enforceBound(); // items appended while the batch was out may be over the bound
                        }
                        if (suspects == 0) {
                            suspects = batch.size();
                            deliveredWhenStuck = lane.deliveredBatches;
                        }
                        batchLimit = Math.max(1, batch.size() / 2);
                        serverErrors = 0;
                        attempt = 0;
                        log(Level.WARN, "the server keeps failing a batch of " + batch.size() + " on " + lane.path + " (" + r.detail
                                + "); splitting it to find the item it fails on", null);
                        continue;
                    }
                    if (batch.size() == 1 && suspects > 0 && serverErrors >= DROP_AFTER_SERVER_ERRORS
                            && lane.deliveredBatches > deliveredWhenStuck) {
                        giveUpPoison(lane, batch.get(0), r);
                        suspects--;
                        batchLimit = suspects == 0 ? s.maxBatchSize : Math.min(batchLimit, suspects);
                        serverErrors = 0;
                        attempt = 0;
                        continue;
                    }
                } else {
                    serverErrors = 0;
                }
                synchronized (lane) {
                    lane.inFlight = false;
                    lane.clearedInFlight = false;
                    lane.enforceBound(); // items appended while the batch was out may be over the bound
                }
                if (r.kind == Result.Kind.SPLIT) {
                    batchLimit = Math.max(1, batch.size() / 2);
                    continue;
                }
            } catch (IOException e) {
                log(Level.ERROR, "cannot update the queue of " + lane.path, e);
                return true;
            }
            attempt++;
            long waitMs = Math.max(s.backoff.delay(attempt).toMillis(), r.retryAfterMs);
            if (closing) {
                long left = TimeUnit.NANOSECONDS.toMillis(closeDeadline - System.nanoTime());
                if (left <= waitMs) return false;
            }
            log(Level.DEBUG, "delivery to " + lane.path + " failed (" + r.detail + "); retry " + attempt + " in " + waitMs + " ms", null);
            lock.lock();
            try {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
                long left;
                while ((left = deadline - System.nanoTime()) > 0 && !(closing && closeDeadline - System.nanoTime() <= 0)) {
                    wake.awaitNanos(left);
                    if (closing) break;
                    if (flushRequested) {
                        // The app asked for delivery now (e.g. connectivity came back): try at once, and deliver
                        // everything queued, as that flush asked, not only what a size trigger had started (the
                        // request is taken here, so the loop after this delivery would not see it).
                        flushRequested = false;
                        drainAll = true;
                        break;
                    }
                }
            } catch (InterruptedException e) {
                return false;
            } finally {
                lock.unlock();
            }
            if (closing && closeDeadline - System.nanoTime() <= 0) return false;
        }
    }

    /**
     * Gives up the one item the server keeps failing while other items get through: removed from
     * the queue, counted as failed, logged and reported to {@link Callback#onFailed}.
     */
    private void giveUpPoison(Lane lane, byte[] item, Result r) throws IOException {
        lane.completed(1);
        failed.incrementAndGet();
        String id = null;
        try {
            id = JSON.readTree(item).path(lane.idField).asText(null);
        } catch (IOException | RuntimeException unreadable) {
            // the id is only for the log
        }
        log(Level.ERROR, "the server failed item " + id + " on " + lane.path + " " + DROP_AFTER_SERVER_ERRORS
                + " times (" + r.detail + ") while other items got through; it is given up", null);
        notifyFailed(lane.path, 1, r.status, "server_error");
    }

    /** What became of one request. */
    static final class Result {
        enum Kind { DONE, RETRY, SPLIT }
        final Kind kind;
        final long retryAfterMs;
        final String detail;
        /** HTTP status, 0 without an answer. */
        final int status;
        /** A server error that is not an outage (500, 501, 505...): the batch itself may be what breaks the server. */
        final boolean serverError;

        Result(Kind kind, long retryAfterMs, String detail) {
            this(kind, retryAfterMs, detail, 0);
        }

        Result(Kind kind, long retryAfterMs, String detail, int status) {
            this.kind = kind;
            this.retryAfterMs = retryAfterMs;
            this.detail = detail;
            this.status = status;
            this.serverError = status >= 500 && status != 502 && status != 503 && status != 504;
        }
    }

    private Result post(Lane lane, List<byte[]> batch) {
        byte[] body;
        try {
            body = gzipBatch(batch);
        } catch (IOException e) {
            return new Result(Result.Kind.RETRY, 0, e.toString());
        }
        Request request = new Request.Builder()
                .url(s.baseUrl.newBuilder().addPathSegments(lane.path.substring(1)).build())
                .header("Authorization", "Bearer " + s.writeKey)
                .header("Content-Encoding", "gzip")
                .post(RequestBody.create(body, JSON_TYPE))
                .build();
        try (Response response = s.http.newCall(request).execute()) {
            int code = response.code();
            ResponseBody rb = response.body();
            String text = rb == null ? "" : rb.string();
            if (code >= 200 && code < 300) {
                onAccepted(lane, batch, text);
                return new Result(Result.Kind.DONE, 0, "ok");
            }
            long retryAfter = retryAfterMs(response.header("Retry-After"));
            if (code == 408 || code == 429 || code >= 500) return new Result(Result.Kind.RETRY, retryAfter, "HTTP " + code, code);
            if (code == 413 && batch.size() > 1) return new Result(Result.Kind.SPLIT, 0, "HTTP 413");
            String reason = errorCode(text, code);
            failed.addAndGet(batch.size());
            log(Level.ERROR, "the server refused a batch of " + batch.size() + " on " + lane.path + " with HTTP " + code + " (" + reason
                    + "); it cannot succeed on retry and is dropped", null);
            notifyFailed(lane.path, batch.size(), code, reason);
            return new Result(Result.Kind.DONE, 0, "gave up");
        } catch (IOException | RuntimeException e) {
            return new Result(Result.Kind.RETRY, 0, e.toString());
        }
    }

    private void onAccepted(Lane lane, List<byte[]> batch, String text) {
        int accepted = batch.size();
        int duplicates = 0;
        try {
            JsonNode answer = JSON.readTree(text);
            if (answer != null && answer.has("accepted")) {
                accepted = answer.path("accepted").asInt();
                duplicates = answer.path("duplicates").asInt();
                for (JsonNode r : answer.path("rejected")) {
                    int index = r.path("index").asInt(-1);
                    String id = null;
                    if (index >= 0 && index < batch.size()) {
                        id = JSON.readTree(batch.get(index)).path(lane.idField).asText(null);
                    }
                    rejected.incrementAndGet();
                    String code = r.path("code").asText("rejected");
                    String message = r.path("message").asText("");
                    log(Level.WARN, "the server rejected an item on " + lane.path + ": " + code + " " + message, null);
                    notifyRejected(lane.path, id, code, message);
                }
            }
        } catch (IOException | RuntimeException e) {
            log(Level.WARN, "unreadable answer from " + lane.path + "; counting the batch as delivered", e);
        }
        delivered.addAndGet(accepted + duplicates);
        try {
            s.callback.onDelivered(lane.path, accepted, duplicates);
        } catch (RuntimeException e) {
            log(Level.WARN, "the callback threw", e);
        }
    }

    static byte[] gzipBatch(List<byte[]> batch) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024 + batch.size() * 128);
        // Fastest deflate level: JSON batches still shrink about 5-10x, at a fraction of the CPU.
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192) {
            {
                def.setLevel(java.util.zip.Deflater.BEST_SPEED);
            }
        }) {
            gz.write(("{\"sentAt\":\"" + Instant.now() + "\",\"batch\":[").getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < batch.size(); i++) {
                if (i > 0) gz.write(',');
                gz.write(batch.get(i));
            }
            gz.write(']');
            gz.write('}');
        }
        return out.toByteArray();
    }

    /** {@code Retry-After} as seconds or an HTTP date, in ms (0 when absent or unreadable), at most an hour. */
    static long retryAfterMs(String header) {
        if (header == null || header.trim().isEmpty()) return 0;
        String h = header.trim();
        try {
            return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Long.parseLong(h) * 1000));
        } catch (NumberFormatException notSeconds) {
            try {
                long at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - System.currentTimeMillis()));
            } catch (RuntimeException notDate) {
                return 0;
            }
        }
    }

    private static String errorCode(String text, int status) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n != null && n.path("error").has("code")) return n.path("error").path("code").asText();
        } catch (IOException | RuntimeException ignored) {
            // not our error shape
        }
        return "http_" + status;
    }

    // ---- callbacks and logging ----------------------------------------------------------------

    private void notifyDropped(String path, int count, String reason) {
        log(Level.WARN, "dropped " + count + " items (" + reason + ") on " + path, null);
        try {
            s.callback.onDropped(path, count, reason);
        } catch (RuntimeException e) {
            log(Level.WARN, "the callback threw", e);
        }
    }

    private void notifyRejected(String path, String id, String code, String message) {
        try {
            s.callback.onRejected(path, id, code, message);
        } catch (RuntimeException e) {
            log(Level.WARN, "the callback threw", e);
        }
    }

    private void notifyFailed(String path, int count, int status, String reason) {
        try {
            s.callback.onFailed(path, count, status, reason);
        } catch (RuntimeException e) {
            log(Level.WARN, "the callback threw", e);
        }
    }

    private void log(Level level, String message, Throwable error) {
        try {
            s.logger.log(level, message, error);
        } catch (RuntimeException ignored) {
            // a broken logger must not break delivery
        }
    }

}
