package dev.kairos.sdk;

import dev.kairos.sdk.internal.ContextBuilder;
import dev.kairos.sdk.internal.Decider;
import dev.kairos.sdk.internal.DecisionCache;
import dev.kairos.sdk.internal.Identity;
import dev.kairos.sdk.internal.Pending;
import dev.kairos.sdk.internal.Pipeline;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The Kairos client: tracks what the user does and asks the rules server what to show. Build one
 * per app and share it; it is thread-safe.
 *
 * <pre>{@code
 * Kairos kairos = Kairos.builder("wk_live_...")
 *         .baseUrl("https://kairos.example.com")
 *         .storageDirectory(Path.of("/var/lib/myapp/kairos"))
 *         .build();
 * kairos.productView("sku-42", "dresses");
 * Decision d = kairos.decide(List.of("home_banner"), Map.of("page", "/home"));
 * kairos.outcome(d, "home_banner", Outcome.IMPRESSION);
 * kairos.close();
 * }</pre>
 *
 * <p><b>Threading.</b> {@code track} and the other recording methods never do I/O on the calling
 * thread and never throw for anything but a blank required argument: they copy the properties,
 * stamp time, user and session, and hand the item to a bounded in-memory hand-off (about a
 * microsecond). The {@code kairos-persist} thread writes items to a queue file under
 * {@link Builder#storageDirectory(Path)}; the {@code kairos-sender} thread sends them in gzip
 * batches of up to {@link Builder#maxBatchSize(int) 100} when {@link Builder#flushAt(int) 20}
 * items or {@link Builder#flushBytes(long) 500 KB} are queued, every
 * {@link Builder#flushInterval(Duration) 30 s}, on {@link #flush()} and on {@link #close()}.
 *
 * <p><b>Delivery.</b> At least once, de-duplicated by the server: every item has a UUID that a
 * retried batch keeps. 5xx, 408, 429 and network errors are retried with {@link Backoff} (honouring
 * {@code Retry-After}) for as long as it takes; a 4xx that no retry can fix (wrong key, malformed
 * batch) drops the batch and calls {@link Callback#onFailed}; items the server refuses one by one
 * go to {@link Callback#onRejected}. When a queue holds {@link Builder#maxQueueSize(int) 10,000}
 * items, the oldest are dropped, counted in {@link #stats()} and reported to
 * {@link Callback#onDropped}.
 *
 * <p><b>Decisions.</b> {@link #decide} waits at most {@link Builder#decideTimeout(Duration) 1 s};
 * when the server fails or is late it answers with the last good decision for the same placements
 * ({@link Decision.Source#CACHE}) or with "show nothing" ({@link Decision.Source#DEFAULT}).
 */
public final class Kairos implements KairosClient {
    /** The SDK's version, sent as {@code context.library.version}. */
    public static final String VERSION = "0.1.0";
    static final double RAPID_SCROLL_VELOCITY = 3000;
    static final int RAPID_SCROLL_RUN = 3;

    private final Pipeline pipeline;
    private final Decider decider;
    private final DecisionCache decisionCache;
    private final ContextBuilder contexts;
    private final Identity identity = new Identity();
    private final long sessionTimeoutMs;
    private final boolean clientSignals;
    private final KairosLogger logger;
    private final Object sessionLock = new Object();
    private String sessionId;
    private long sessionStart;
    private long lastActivity;
    private int rapidRun;
    private int rapidBursts;
    private double maxScrollDepth;

    private Kairos(Builder b) {
        this.sessionTimeoutMs = b.sessionTimeout.toMillis();
        this.clientSignals = b.clientSignals;
        this.logger = b.logger;
        Map<String, Object> library = new LinkedHashMap<>();
        Map<String, Object> lib = new LinkedHashMap<>();
        lib.put("name", "kairos-java");
        lib.put("version", VERSION);
        library.put("library", lib);
        library.put("timezone", TimeZone.getDefault().getID());
        library.put("locale", Locale.getDefault().toLanguageTag());
        Map<String, Object> device = new LinkedHashMap<>();
        device.put("os", System.getProperty("os.name", "unknown"));
        device.put("osVersion", System.getProperty("os.version", ""));
        library.put("device", device);
        this.contexts = new ContextBuilder(library, b.contextProvider, b.logger);
        Pipeline.Settings s = new Pipeline.Settings();
        s.baseUrl = b.url;
        s.writeKey = b.writeKey;
        s.storageDirectory = b.inMemory ? null : b.storageDirectory != null ? b.storageDirectory : defaultStorage(b.url, b.writeKey);
        s.flushAt = b.flushAt;
        s.flushInterval = b.flushInterval;
        s.flushBytes = b.flushBytes;
        s.maxQueueSize = b.maxQueueSize;
        s.maxBatchSize = b.maxBatchSize;
        s.maxEventBytes = b.maxEventBytes;
        s.inboxCapacity = b.inboxCapacity;
        s.http = b.client;
        s.logger = b.logger;
        s.callback = b.callback;
        s.contexts = contexts;
        s.backoff = b.backoff;
        s.closeTimeout = b.closeTimeout;
        this.pipeline = new Pipeline(s, identity);
        this.decisionCache = new DecisionCache(s.storageDirectory, b.logger);
        this.decider = new Decider(b.url, b.writeKey, b.client, b.decideTimeout, b.logger, decisionCache,
                Collections.unmodifiableMap(new LinkedHashMap<>(b.defaults)));
    }

    /** A builder for a client that sends with {@code writeKey} (an app write key of the rules server). */
    public static Builder builder(String writeKey) {
        return new Builder(writeKey);
    }

    // ---- recording ----------------------------------------------------------------------------

    /**
     * Records an event of {@code type} (a canonical type such as {@code "product_view"}, see
     * {@code docs/events.md}, or {@code "custom"} with a {@code name} property). The properties are
     * copied; values may be strings, numbers, booleans, lists and maps (anything else is sent as its
     * {@code toString()}).
     *
     * @throws IllegalArgumentException if {@code type} is null or blank
     */
    public void track(String type, @Nullable Map<String, ?> properties) {
        track(type, properties, (String) null);
    }

    /**
     * Records an event like {@link #track(String, Map)}, under an {@code eventId} the caller chose
     * instead of a fresh one. For an event the app may have to record again, e.g. one it records
     * once per install and notes as done only after {@link #awaitPersisted(Duration)}: if the app
     * dies in between, recording it again under the same id is de-duplicated by the server (within
     * its 24 h window), so it counts once. Store the id with whatever decides to record the event.
     *
     * @throws IllegalArgumentException if {@code type} is null or blank, or {@code eventId} is null
     */
    public void track(String type, @Nullable Map<String, ?> properties, UUID eventId) {
        if (eventId == null) throw new IllegalArgumentException("eventId must not be null");
        track(type, properties, eventId.toString());
    }

    private void track(String type, @Nullable Map<String, ?> properties, @Nullable String eventId) {
        requireText(type, "type");
        if (identity.optedOutIfLoaded()) return;
        long now = System.currentTimeMillis();
        Map<String, Object> props = properties == null || properties.isEmpty() ? Collections.emptyMap() : new LinkedHashMap<>(properties);
        String session;
        long start;
        synchronized (sessionLock) {
            touchSession(now);
            session = sessionId;
            start = sessionStart;
        }
        pipeline.offer(Pending.event(now, type, props, identity.userId(), identity.anonymousIdIfLoaded(), session, start, eventId));
    }

    /** Records an event of {@code type} without properties. */
    public void track(String type) {
        track(type, null);
    }

    /**
     * Records an event about {@code userId}, for a backend that serves many users from one client:
     * the event carries this user only, never the client's own identity or session, and touches no
     * shared state, so any number of threads may call it for different users at once.
     *
     * @throws IllegalArgumentException if {@code userId} or {@code type} is null or blank
     */
    public void track(String userId, String type, @Nullable Map<String, ?> properties) {
        requireText(userId, "userId");
        requireText(type, "type");
        if (identity.optedOutIfLoaded()) return;
        Map<String, Object> props = properties == null || properties.isEmpty() ? Collections.emptyMap() : new LinkedHashMap<>(properties);
        pipeline.offer(Pending.scopedEvent(System.currentTimeMillis(), type, props, userId, null));
    }

    /** Like {@link #track(String, String, Map)}, under an {@code eventId} the caller chose (see {@link #track(String, Map, UUID)}). */
    public void track(String userId, String type, @Nullable Map<String, ?> properties, UUID eventId) {
        requireText(userId, "userId");
        requireText(type, "type");
        if (eventId == null) throw new IllegalArgumentException("eventId must not be null");
        if (identity.optedOutIfLoaded()) return;
        Map<String, Object> props = properties == null || properties.isEmpty() ? Collections.emptyMap() : new LinkedHashMap<>(properties);
        pipeline.offer(Pending.scopedEvent(System.currentTimeMillis(), type, props, userId, eventId.toString()));
    }

    /** A screen of a mobile app was shown ({@code screen_view}). */
    public void screen(String name, @Nullable Map<String, ?> properties) {
        requireText(name, "name");
        track("screen_view", with(properties, "name", name));
    }

    /** A web page was shown ({@code page_view}); {@code path} such as {@code /product/42}. */
    public void page(String path, @Nullable Map<String, ?> properties) {
        requireText(path, "path");
        track("page_view", with(properties, "path", path));
    }

    /**
     * The user scrolled to {@code depth} (0..1 of the page) at {@code velocity} px/s. Scrolls at
     * {@value #RAPID_SCROLL_VELOCITY} px/s or faster are rapid; the SDK counts bursts of
     * {@value #RAPID_SCROLL_RUN}+ rapid scrolls in a row for {@link Builder#clientSignals(boolean)}.
     */
    public void scroll(double depth, double velocity) {
        double d = Double.isNaN(depth) ? 0 : Math.max(0, Math.min(1, depth));
        double v = Double.isNaN(velocity) ? 0 : Math.abs(velocity);
        boolean rapid = v >= RAPID_SCROLL_VELOCITY;
        synchronized (sessionLock) {
            touchSession(System.currentTimeMillis());
            maxScrollDepth = Math.max(maxScrollDepth, d);
            rapidRun = rapid ? rapidRun + 1 : 0;
            if (rapidRun == RAPID_SCROLL_RUN) rapidBursts++;
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("depth", d);
        p.put("velocity", v);
        track("scroll", p);
    }

    /** The user clicked {@code target} (a button or link id). */
    public void click(String target) {
        requireText(target, "target");
        track("click", Collections.singletonMap("target", target));
    }

    /** The user searched for {@code query}. */
    public void search(String query) {
        requireText(query, "query");
        track("search", Collections.singletonMap("query", query));
    }

    /** The user looked at a product; {@code category} may be null. */
    public void productView(String productId, @Nullable String category) {
        requireText(productId, "productId");
        track("product_view", with(category == null ? null : Collections.singletonMap("category", category), "productId", productId));
    }

    /** The user put {@code quantity} of a product in the cart. */
    public void addToCart(String productId, int quantity) {
        requireText(productId, "productId");
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("productId", productId);
        p.put("quantity", Math.max(1, quantity));
        track("add_to_cart", p);
    }

    /** The user took a product out of the cart. */
    public void removeFromCart(String productId) {
        requireText(productId, "productId");
        track("remove_from_cart", Collections.singletonMap("productId", productId));
    }

    /** The user started checking out. */
    public void checkoutStart() {
        track("checkout_start", null);
    }

    /** A purchase went through; {@code orderId} may be null. */
    public void purchase(@Nullable String orderId, double value) {
        Map<String, Object> p = new LinkedHashMap<>();
        if (orderId != null) p.put("orderId", orderId);
        p.put("value", value);
        track("purchase", p);
    }

    /** A purchase failed (payment declined, out of stock); {@code reason} may be null. */
    public void purchaseFailed(@Nullable String reason) {
        track("purchase_failed", reason == null ? null : Collections.singletonMap("reason", reason));
    }

    /** The user tapped an ad; {@code adId} may be null. */
    public void adClick(@Nullable String adId) {
        track("ad_click", adId == null ? null : Collections.singletonMap("adId", adId));
    }

    /**
     * Says who the user is. Later events carry {@code userId}; the server merges what it knew
     * under the anonymous id into the user's profile. {@code traits} go as the event's properties.
     */
    public void identify(String userId, @Nullable Map<String, ?> traits) {
        requireText(userId, "userId");
        identity.identify(userId);
        pipeline.offer(Pending.saveIdentity());
        track("identify", traits); // not sent while opted out
    }

    /**
     * Links {@code previousId}, an anonymous id this user had elsewhere (another device, a web
     * session), to the identified user, so its history joins theirs. Ignored, with a warning, when
     * no user is identified.
     */
    public void alias(String previousId) {
        requireText(previousId, "previousId");
        if (identity.optedOutIfLoaded()) return;
        String user = identity.userId();
        if (user == null) {
            logger.log(KairosLogger.Level.WARN, "alias() needs an identified user; call identify() first", null);
            return;
        }
        long now = System.currentTimeMillis();
        String session;
        long start;
        synchronized (sessionLock) {
            touchSession(now);
            session = sessionId;
            start = sessionStart;
        }
        pipeline.offer(Pending.event(now, "identify", Collections.emptyMap(), user, previousId, session, start));
    }

    /**
     * Forgets the user (log-out): a new anonymous id and a new session from now on, and the cached
     * decisions of this device (memory and disk) are dropped, so the next user never sees them.
     */
    public void reset() {
        identity.reset();
        decisionCache.clear();
        synchronized (sessionLock) {
            sessionId = null;
            rapidRun = 0;
            rapidBursts = 0;
            maxScrollDepth = 0;
        }
        pipeline.offer(Pending.saveIdentity());
    }

    /**
     * Records what the user did with the content of {@code placement} in the decision
     * {@code decisionId}. Outcomes of a {@link Decision.Source#DEFAULT} answer have no decision and
     * are ignored.
     */
    public void outcome(String decisionId, String placement, Outcome outcome) {
        outcome(decisionId, placement, outcome, null);
    }

    /** Like {@link #outcome(String, String, Outcome)}, naming the rule from the decision. */
    public void outcome(Decision decision, String placement, Outcome outcome) {
        if (decision == null) return;
        requireText(placement, "placement");
        if (outcome == null) throw new IllegalArgumentException("outcome must not be null");
        decision.forPlacement(placement).ifPresent(a -> {
            if (!decision.report(a, outcome)) outcome(a.decisionId(), placement, outcome, a.rule());
        });
    }

    private void outcome(String decisionId, String placement, Outcome outcome, String rule) {
        if (decisionId == null) return;
        requireText(placement, "placement");
        if (outcome == null) throw new IllegalArgumentException("outcome must not be null");
        if (identity.optedOutIfLoaded()) return;
        String session;
        synchronized (sessionLock) {
            session = sessionId;
        }
        pipeline.offer(Pending.outcome(System.currentTimeMillis(), outcome.wireName(), decisionId, placement, rule,
                identity.userId(), identity.anonymousIdIfLoaded(), session));
    }

    // ---- decisions ----------------------------------------------------------------------------

    /**
     * Asks which content to show in {@code placements}, blocking for at most the decide timeout.
     * {@code context} adds to or overrides the captured context ({@code page}, {@code location},
     * ...; the decide API's {@code context}). Don't call it on a UI thread: use
     * {@link #decideAsync}.
     */
    public Decision decide(List<String> placements, @Nullable Map<String, ?> context) {
        List<String> p = placements(placements);
        if (identity.optedOut(500)) return decider.defaults(p, "opted out");
        Request r = decideRequest(p, context);
        return bind(decider.decide(r.body, p, r.scope), r.userId, r.anonymousId, r.sessionId);
    }

    /** Like {@link #decide}, without blocking; the future never completes exceptionally. */
    public CompletableFuture<Decision> decideAsync(List<String> placements, @Nullable Map<String, ?> context) {
        List<String> p = placements(placements);
        return CompletableFuture.supplyAsync(() -> identity.optedOut(500) ? null : decideRequest(p, context), DecideThreads.EXECUTOR)
                .thenCompose(r -> r == null ? CompletableFuture.completedFuture(decider.defaults(p, "opted out"))
                        : decider.decideAsync(r.body, p, r.scope).thenApply(d -> bind(d, r.userId, r.anonymousId, r.sessionId)));
    }

    /**
     * Asks which content to show {@code userId} in {@code placements}, for a backend that serves many
     * users from one client: the request names this user only (no anonymous id, no session, none of
     * the client's identity), the fallback cache is this user's, and outcomes reported through the
     * answer ({@link Decision#markShown()}, {@link #outcome(Decision, String, Outcome)}) are this
     * user's. Thread-safe; blocks for at most the decide timeout.
     */
    public Decision decide(String userId, List<String> placements, @Nullable Map<String, ?> context) {
        requireText(userId, "userId");
        List<String> p = placements(placements);
        if (identity.optedOut(500)) return decider.defaults(p, "opted out");
        Request r = userRequest(userId, p, context);
        return bind(decider.decide(r.body, p, r.scope), userId, null, null);
    }

    /** Like {@link #decide(String, List, Map)}, without blocking; the future never completes exceptionally. */
    public CompletableFuture<Decision> decideAsync(String userId, List<String> placements, @Nullable Map<String, ?> context) {
        requireText(userId, "userId");
        List<String> p = placements(placements);
        return CompletableFuture.supplyAsync(() -> identity.optedOut(500) ? null : userRequest(userId, p, context), DecideThreads.EXECUTOR)
                .thenCompose(r -> r == null ? CompletableFuture.completedFuture(decider.defaults(p, "opted out"))
                        : decider.decideAsync(r.body, p, r.scope).thenApply(d -> bind(d, userId, null, null)));
    }

    /** What is sent to decide, and who it is about. */
    private static final class Request {
        final Map<String, Object> body;
        final String scope;
        final String userId;
        final String anonymousId;
        final String sessionId;

        Request(Map<String, Object> body, String scope, String userId, String anonymousId, String sessionId) {
            this.body = body;
            this.scope = scope;
            this.userId = userId;
            this.anonymousId = anonymousId;
            this.sessionId = sessionId;
        }
    }

    /** Binds a decision to the user it was made for: its impressions and outcomes are theirs, whoever is signed in later. */
    private Decision bind(Decision d, String userId, String anonymousId, String sessionId) {
        return d.bind((a, outcome) -> {
            if (a.decisionId() == null || identity.optedOutIfLoaded()) return;
            pipeline.offer(Pending.scopedOutcome(System.currentTimeMillis(), outcome.wireName(), a.decisionId(), a.placement(), a.rule(),
                    userId, anonymousId, sessionId));
        });
    }

    /**
     * The cache scope of a decision: the user it is for and a digest of the context the app passed
     * (a different page may get a different answer). Captured device context is the same for
     * every call of this client and is left out.
     */
    private static String scope(String userId, String anonymousId, @Nullable Map<String, ?> context) {
        String who = userId != null ? "u:" + userId : "a:" + anonymousId;
        if (context == null || context.isEmpty()) return who;
        return who + "|" + Integer.toHexString(canonical(context).hashCode());
    }

    private static Object canonical(Object value) {
        if (value instanceof Map) {
            Map<String, Object> sorted = new TreeMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) sorted.put(String.valueOf(e.getKey()), canonical(e.getValue()));
            return sorted.toString();
        }
        if (value instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object o : (List<?>) value) out.add(canonical(o));
            return out.toString();
        }
        return String.valueOf(value);
    }

    private Request userRequest(String userId, List<String> placements, @Nullable Map<String, ?> context) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("userId", userId);
        body.put("placements", placements);
        body.put("context", contexts.build(null, 0, context));
        return new Request(body, scope(userId, null, context), userId, null, null);
    }

    private Request decideRequest(List<String> placements, @Nullable Map<String, ?> context) {
        Map<String, Object> body = new LinkedHashMap<>();
        String anonymous = identity.anonymousId(500);
        String user = identity.userId();
        if (user != null) body.put("userId", user);
        body.put("anonymousId", anonymous);
        String session;
        long start;
        int bursts;
        double depth;
        synchronized (sessionLock) {
            touchSession(System.currentTimeMillis());
            session = sessionId;
            start = sessionStart;
            bursts = rapidBursts;
            depth = maxScrollDepth;
        }
        body.put("sessionId", session);
        body.put("placements", placements);
        body.put("context", contexts.build(session, start, context));
        if (clientSignals) {
            Map<String, Object> signals = new LinkedHashMap<>();
            signals.put("rapidScrollBursts", bursts);
            signals.put("scrollDepth", depth);
            body.put("signals", signals);
        }
        return new Request(body, scope(user, anonymous, context), user, anonymous, session);
    }

    // ---- privacy ------------------------------------------------------------------------------

    /**
     * The user said no: from this call on nothing is recorded or sent (events, outcomes,
     * identify), what is queued is deleted (memory and the queue files), the cached decisions are
     * deleted, and {@link #decide} answers the app's defaults without asking the server, so no
     * identity leaves the device. The choice is saved and holds after a restart until
     * {@link #optIn()}. Never blocks.
     */
    public void optOut() {
        identity.setOptedOut(true);
        decisionCache.clear();
        pipeline.offer(Pending.optOut());
    }

    /** The user agreed again: recording and decisions work as before from this call on. The choice is saved. */
    public void optIn() {
        identity.setOptedOut(false);
        pipeline.offer(Pending.saveIdentity());
    }

    /** Whether the user opted out (waits briefly, once, for the stored choice to be read from disk). */
    public boolean isOptedOut() {
        return identity.optedOut(1000);
    }

    // ---- control ------------------------------------------------------------------------------

    /** Asks the sender to deliver everything queued now; returns at once. */
    public void flush() {
        pipeline.requestFlush();
        pipeline.offer(Pending.flush(new CountDownLatch(1)));
    }

    /**
     * Delivers everything recorded before this call and waits for it, at most {@code timeout}.
     * Returns {@code true} when all of it was delivered (or refused by the server), {@code false}
     * on timeout, e.g. while the server is unreachable (the items stay queued). Blocks: not on a UI
     * thread.
     */
    public boolean flush(Duration timeout) {
        CountDownLatch done = new CountDownLatch(1);
        pipeline.offer(Pending.flush(done));
        try {
            return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Waits until everything recorded before this call is in the queue, at most {@code timeout}:
     * with the default disk queue, written to the queue file, so it survives the death of the
     * process (it is not fsync'd: an OS crash can still lose it). With
     * {@link Builder#inMemoryQueue()}, or when the queue file could not be opened, "in the queue"
     * means in memory. Returns {@code false} on timeout, also when the items could not be written
     * or were dropped before they were. Sends nothing by itself. Blocks: not on a UI thread.
     */
    public boolean awaitPersisted(Duration timeout) {
        CountDownLatch done = new CountDownLatch(1);
        pipeline.offer(Pending.persist(done));
        try {
            return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops the every-{@code flushInterval} delivery (an app going to the background); count and size triggers and {@link #flush()} still work. */
    public void pausePeriodicFlush() {
        pipeline.setPeriodicFlush(false);
    }

    /** Restarts the periodic delivery stopped by {@link #pausePeriodicFlush()}. */
    public void resumePeriodicFlush() {
        pipeline.setPeriodicFlush(true);
    }

    /**
     * Persists what was recorded, delivers what it can within the close timeout (default 5 s), and
     * stops the SDK's threads. With the default disk queue, what could not be delivered is sent by
     * the next client built on the same storage directory. Later calls are ignored.
     */
    @Override
    public void close() {
        pipeline.close();
        decisionCache.awaitIdle(1000);
    }

    /** Waits for the decision cache's file writes; for tests. */
    void cacheIdleForTests() {
        decisionCache.awaitIdle(5000);
    }

    /** Counters since this client was built. */
    public Stats stats() {
        return pipeline.stats();
    }

    /** The persisted anonymous id of this install (waits briefly, once, for it to be read from disk). */
    public String anonymousId() {
        return identity.anonymousId(1000);
    }

    /** The identified user, or {@code null} (waits briefly, once, for the stored identity to be read from disk). */
    public @Nullable String userId() {
        return identity.userId(1000);
    }

    /** The current session id (a new one after {@code sessionTimeout} without activity). */
    public String sessionId() {
        synchronized (sessionLock) {
            touchSession(System.currentTimeMillis());
            return sessionId;
        }
    }

    private void touchSession(long now) {
        if (sessionId == null || now - lastActivity > sessionTimeoutMs) {
            sessionId = UUID.randomUUID().toString();
            sessionStart = now;
            rapidRun = 0;
            rapidBursts = 0;
            maxScrollDepth = 0;
        }
        lastActivity = now;
    }

    private static List<String> placements(List<String> placements) {
        if (placements == null || placements.isEmpty()) throw new IllegalArgumentException("placements must not be empty");
        List<String> copy = new ArrayList<>(placements.size());
        for (String p : placements) {
            requireText(p, "placements[" + copy.size() + "]");
            copy.add(p);
        }
        return Collections.unmodifiableList(copy);
    }

    private static Map<String, Object> with(Map<String, ?> properties, String key, Object value) {
        Map<String, Object> p = properties == null ? new LinkedHashMap<>() : new LinkedHashMap<>(properties);
        p.put(key, value);
        return p;
    }

    private static void requireText(String value, String name) {
        if (value == null || value.trim().isEmpty()) throw new IllegalArgumentException(name + " must not be null or blank");
    }

    private static Path defaultStorage(HttpUrl url, String writeKey) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((url + "\n" + writeKey).getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < 6; i++) hex.append(String.format("%02x", h[i]));
            return Paths.get(System.getProperty("user.home", "."), ".kairos", "sdk-" + hex);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Threads that build decide requests for {@link #decideAsync} off the caller's thread. */
    private static final class DecideThreads {
        static final java.util.concurrent.Executor EXECUTOR = new java.util.concurrent.ThreadPoolExecutor(0, 2, 30, TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(256), r -> {
                    Thread t = new Thread(r, "kairos-decide");
                    t.setDaemon(true);
                    return t;
                }, new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy());
    }

    /**
     * Configures a {@link Kairos}. Every option has a default except {@link #baseUrl(String)};
     * {@link #build()} checks that they fit together.
     */
    public static final class Builder {
        private final String writeKey;
        private HttpUrl url;
        private Path storageDirectory;
        private boolean inMemory;
        private int flushAt = 20;
        private Duration flushInterval = Duration.ofSeconds(30);
        private long flushBytes = 500_000;
        private int maxQueueSize = 10_000;
        private int maxBatchSize = 100;
        private int maxEventBytes = 32_768;
        private int inboxCapacity = 10_000;
        private Duration sessionTimeout = Duration.ofMinutes(30);
        private Duration decideTimeout = Duration.ofSeconds(1);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private OkHttpClient client;
        private KairosLogger logger = KairosLogger.STDERR;
        private Callback callback = new Callback() { };
        private ContextProvider contextProvider = new ContextProvider() { };
        private Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(5));
        private boolean clientSignals;
        private final Map<String, Adaptation> defaults = new LinkedHashMap<>();

        private Builder(String writeKey) {
            requireText(writeKey, "writeKey");
            this.writeKey = writeKey.trim();
        }

        /** The rules server, e.g. {@code https://kairos.example.com} (required). */
        public Builder baseUrl(String baseUrl) {
            requireText(baseUrl, "baseUrl");
            HttpUrl parsed = HttpUrl.parse(baseUrl.trim());
            if (parsed == null) throw new IllegalArgumentException("baseUrl must be an http or https URL, was '" + baseUrl + "'");
            this.url = parsed;
            return this;
        }

        /**
         * Where the queue files and the anonymous id live. Default: {@code ~/.kairos/sdk-<hash of
         * URL and key>}. One directory per client: two live clients must not share one.
         */
        public Builder storageDirectory(Path directory) {
            if (directory == null) throw new IllegalArgumentException("storageDirectory must not be null");
            this.storageDirectory = directory;
            this.inMemory = false;
            return this;
        }

        /** Keeps queued items in memory only: they are lost when the process dies. Not the default. */
        public Builder inMemoryQueue() {
            this.inMemory = true;
            return this;
        }

        /** Deliver when this many items are queued. Default 20. */
        public Builder flushAt(int events) {
            if (events < 1) throw new IllegalArgumentException("flushAt must be at least 1, was " + events);
            this.flushAt = events;
            return this;
        }

        /** Deliver whatever is queued this often (while not paused). Default 30 s. */
        public Builder flushInterval(Duration interval) {
            if (interval == null || interval.toMillis() < 10) throw new IllegalArgumentException("flushInterval must be at least 10 ms, was " + interval);
            this.flushInterval = interval;
            return this;
        }

        /** Deliver when the queued items reach this many bytes of JSON; also the most a batch carries. Default 500 KB, at most 900 KB. */
        public Builder flushBytes(long bytes) {
            if (bytes < 1024 || bytes > 900_000) throw new IllegalArgumentException("flushBytes must be between 1024 and 900000, was " + bytes);
            this.flushBytes = bytes;
            return this;
        }

        /** The most items a queue keeps; beyond it the oldest are dropped and reported. Default 10,000. */
        public Builder maxQueueSize(int items) {
            if (items < 1) throw new IllegalArgumentException("maxQueueSize must be at least 1, was " + items);
            this.maxQueueSize = items;
            return this;
        }

        /** The most items per request. Default 100; the server takes at most 500. */
        public Builder maxBatchSize(int items) {
            if (items < 1 || items > 500) throw new IllegalArgumentException("maxBatchSize must be between 1 and 500, was " + items);
            this.maxBatchSize = items;
            return this;
        }

        /** A new session starts after this long without activity. Default 30 min. */
        public Builder sessionTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("sessionTimeout must be positive, was " + timeout);
            this.sessionTimeout = timeout;
            return this;
        }

        /** The longest {@link Kairos#decide} waits for the server. Default 1 s. */
        public Builder decideTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("decideTimeout must be positive, was " + timeout);
            this.decideTimeout = timeout;
            return this;
        }

        /** The longest {@link Kairos#close()} spends delivering. Default 5 s. */
        public Builder closeTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative()) throw new IllegalArgumentException("closeTimeout must not be negative, was " + timeout);
            this.closeTimeout = timeout;
            return this;
        }

        /** The HTTP client, to share an app's connection pool, proxy or TLS settings. Default: a new one with 10 s connect/read/write timeouts. */
        public Builder client(OkHttpClient client) {
            if (client == null) throw new IllegalArgumentException("client must not be null");
            this.client = client;
            return this;
        }

        /** Where the SDK logs. Default {@link KairosLogger#STDERR} (warnings and errors). */
        public Builder logger(KairosLogger logger) {
            if (logger == null) throw new IllegalArgumentException("logger must not be null");
            this.logger = logger;
            return this;
        }

        /** Told what became of items; see {@link Callback} for the threads it runs on. */
        public Builder callback(Callback callback) {
            if (callback == null) throw new IllegalArgumentException("callback must not be null");
            this.callback = callback;
            return this;
        }

        /** Adds the app's device, location and network context; see {@link ContextProvider}. */
        public Builder contextProvider(ContextProvider provider) {
            if (provider == null) throw new IllegalArgumentException("contextProvider must not be null");
            this.contextProvider = provider;
            return this;
        }

        /** How long to wait between retries. Default {@code Backoff.exponential(1 s, 5 min)}. */
        public Builder backoff(Backoff backoff) {
            if (backoff == null) throw new IllegalArgumentException("backoff must not be null");
            this.backoff = backoff;
            return this;
        }

        /**
         * Sends the SDK's own summary of this session's scrolling ({@code scrollDepth},
         * {@code rapidScrollBursts}) as {@code signals} with every decide. Off by default: the
         * server computes both from events, and request signals win over its values.
         */
        public Builder clientSignals(boolean on) {
            this.clientSignals = on;
            return this;
        }

        /**
         * What {@link Kairos#decide} answers for {@code adaptation.placement()} when the server
         * cannot be asked and nothing is cached for the user (or the user opted out), instead of
         * "show nothing". Build it with {@link Adaptation#builder(String)}.
         */
        public Builder defaultAdaptation(Adaptation adaptation) {
            if (adaptation == null) throw new IllegalArgumentException("adaptation must not be null");
            this.defaults.put(adaptation.placement(), adaptation);
            return this;
        }

        /** The client; starts its two background threads. */
        public Kairos build() {
            if (url == null) throw new IllegalStateException("baseUrl is required");
            if (flushAt > maxQueueSize) {
                throw new IllegalStateException("flushAt (" + flushAt + ") is larger than maxQueueSize (" + maxQueueSize
                        + "): the queue would drop items before it ever flushed");
            }
            if (client == null) {
                client = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(10)).readTimeout(Duration.ofSeconds(10))
                        .writeTimeout(Duration.ofSeconds(10)).build();
            }
            return new Kairos(this);
        }
    }
}
