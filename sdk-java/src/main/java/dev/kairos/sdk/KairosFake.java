package dev.kairos.sdk;

import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link KairosClient} in memory, for an app's unit tests: no server, no threads, no files. It
 * records what the app tracked, asked and reported, and answers decisions the test scripted.
 * Thread-safe; behaves like the real client where the app can tell (opt-out stops recording and
 * decides answer defaults; {@link Decision#markShown()} reports one impression per placement;
 * {@code reset()} forgets the user).
 *
 * <pre>{@code
 * KairosFake kairos = new KairosFake()
 *         .answer(Adaptation.builder("home_banner").contentId("spring-sale").format("banner").build());
 * new HomeScreen(kairos).show();                      // the app's code, given a KairosClient
 * assertEquals("spring-sale", kairos.decisions().get(0).decision().forPlacement("home_banner").get().contentId());
 * assertEquals(List.of("home_banner"), kairos.impressions());
 * }</pre>
 */
public final class KairosFake implements KairosClient {
    /** An event the app recorded. {@code userId} is the identified user (or the per-call user), else {@code null}. */
    public static final class Event {
        public final String type;
        public final Map<String, Object> properties;
        public final @Nullable String userId;
        public final String anonymousId;

        Event(String type, Map<String, Object> properties, @Nullable String userId, String anonymousId) {
            this.type = type;
            this.properties = properties;
            this.userId = userId;
            this.anonymousId = anonymousId;
        }

        @Override
        public String toString() {
            return type + properties;
        }
    }

    /** A decide the app made and what it got. */
    public static final class Ask {
        public final List<String> placements;
        public final Map<String, Object> context;
        public final @Nullable String userId;
        public final Decision decision;

        Ask(List<String> placements, Map<String, Object> context, @Nullable String userId, Decision decision) {
            this.placements = placements;
            this.context = context;
            this.userId = userId;
            this.decision = decision;
        }

        public Decision decision() {
            return decision;
        }
    }

    /** An outcome the app reported. */
    public static final class Reported {
        public final String decisionId;
        public final String placement;
        public final Outcome outcome;
        public final @Nullable String userId;

        Reported(String decisionId, String placement, Outcome outcome, @Nullable String userId) {
            this.decisionId = decisionId;
            this.placement = placement;
            this.outcome = outcome;
            this.userId = userId;
        }

        @Override
        public String toString() {
            return outcome + "@" + placement;
        }
    }

    private final Map<String, Adaptation> answers = new LinkedHashMap<>();
    private final Map<String, Adaptation> defaults = new LinkedHashMap<>();
    private final List<Event> events = new ArrayList<>();
    private final List<Ask> decisions = new ArrayList<>();
    private final List<Reported> outcomes = new ArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private boolean serverDown;
    private boolean optedOut;
    private boolean closed;
    private @Nullable String userId;
    private String anonymousId = UUID.randomUUID().toString();
    private String sessionId = UUID.randomUUID().toString();

    /** The server answers {@code adaptation} for its placement from now on. */
    public synchronized KairosFake answer(Adaptation adaptation) {
        Objects.requireNonNull(adaptation, "adaptation");
        answers.put(adaptation.placement(), new Adaptation(adaptation.placement(), adaptation.contentId(), adaptation.tone(),
                adaptation.format(), adaptation.cta(), adaptation.rule() != null ? adaptation.rule() : "scripted", adaptation.reason(),
                false, adaptation.suppressed(), adaptation.params()));
        return this;
    }

    /** What decide answers for the placement when the server is "down" or the user opted out (else show nothing), like {@link Kairos.Builder#defaultAdaptation}. */
    public synchronized KairosFake defaultAdaptation(Adaptation adaptation) {
        defaults.put(adaptation.placement(), adaptation);
        return this;
    }

    /** Simulates an unreachable server: decides answer {@link Decision.Source#DEFAULT}. */
    public synchronized KairosFake serverDown(boolean down) {
        this.serverDown = down;
        return this;
    }

    /** Everything recorded, in order. */
    public synchronized List<Event> events() {
        return Collections.unmodifiableList(new ArrayList<>(events));
    }

    /** The types of everything recorded, in order (e.g. {@code ["product_view", "add_to_cart"]}). */
    public synchronized List<String> eventTypes() {
        List<String> out = new ArrayList<>();
        for (Event e : events) out.add(e.type);
        return out;
    }

    /** Every decide, in order. */
    public synchronized List<Ask> decisions() {
        return Collections.unmodifiableList(new ArrayList<>(decisions));
    }

    /** Every outcome reported, impressions from {@link Decision#markShown()} included. */
    public synchronized List<Reported> outcomes() {
        return Collections.unmodifiableList(new ArrayList<>(outcomes));
    }

    /** The placements reported shown, in order. */
    public synchronized List<String> impressions() {
        List<String> out = new ArrayList<>();
        for (Reported r : outcomes) if (r.outcome == Outcome.IMPRESSION) out.add(r.placement);
        return out;
    }

    /** Forgets what was recorded (the scripted answers stay). */
    public synchronized void clearRecorded() {
        events.clear();
        decisions.clear();
        outcomes.clear();
    }

    @Override
    public synchronized void track(String type, @Nullable Map<String, ?> properties) {
        record(type, properties, userId);
    }

    @Override
    public synchronized void track(String type, @Nullable Map<String, ?> properties, UUID eventId) {
        Objects.requireNonNull(eventId, "eventId");
        record(type, properties, userId);
    }

    @Override
    public synchronized void track(String userId, String type, @Nullable Map<String, ?> properties) {
        requireText(userId, "userId");
        record(type, properties, userId);
    }

    private void record(String type, @Nullable Map<String, ?> properties, @Nullable String user) {
        requireText(type, "type");
        if (optedOut || closed) return;
        events.add(new Event(type, properties == null ? Collections.emptyMap() : Collections.unmodifiableMap(new LinkedHashMap<>(properties)),
                user, anonymousId));
    }

    @Override
    public synchronized void identify(String userId, @Nullable Map<String, ?> traits) {
        requireText(userId, "userId");
        this.userId = userId;
        record("identify", traits, userId);
    }

    @Override
    public synchronized void alias(String previousId) {
        requireText(previousId, "previousId");
        if (userId != null) record("identify", Collections.singletonMap("previousId", previousId), userId);
    }

    @Override
    public synchronized void reset() {
        userId = null;
        anonymousId = UUID.randomUUID().toString();
        sessionId = UUID.randomUUID().toString();
    }

    @Override
    public synchronized String anonymousId() {
        return anonymousId;
    }

    @Override
    public synchronized @Nullable String userId() {
        return userId;
    }

    @Override
    public synchronized String sessionId() {
        return sessionId;
    }

    @Override
    public Decision decide(List<String> placements, @Nullable Map<String, ?> context) {
        synchronized (this) {
            return ask(userId, placements, context);
        }
    }

    @Override
    public CompletableFuture<Decision> decideAsync(List<String> placements, @Nullable Map<String, ?> context) {
        return CompletableFuture.completedFuture(decide(placements, context));
    }

    @Override
    public synchronized Decision decide(String userId, List<String> placements, @Nullable Map<String, ?> context) {
        requireText(userId, "userId");
        return ask(userId, placements, context);
    }

    @Override
    public CompletableFuture<Decision> decideAsync(String userId, List<String> placements, @Nullable Map<String, ?> context) {
        return CompletableFuture.completedFuture(decide(userId, placements, context));
    }

    private Decision ask(@Nullable String user, List<String> placements, @Nullable Map<String, ?> context) {
        if (placements == null || placements.isEmpty()) throw new IllegalArgumentException("placements must not be empty");
        List<Adaptation> out = new ArrayList<>();
        Decision d;
        if (serverDown || optedOut) {
            for (String p : placements) out.add(defaults.containsKey(p) ? defaults.get(p) : Adaptation.none(p, "fake: no answer"));
            d = new Decision(null, null, null, out, null, Decision.Source.DEFAULT);
        } else {
            String id = "fake-decision-" + ids.incrementAndGet();
            for (String p : placements) {
                Adaptation a = answers.get(p);
                out.add(a != null ? a : new Adaptation(p, null, null, "none", null, null, "fake: nothing scripted", true, false, null));
            }
            d = new Decision(id, "fake", "fake", out, null, null, null, Decision.Source.SERVER);
        }
        d.bind((a, outcome) -> report(a.decisionId(), a.placement(), outcome, user));
        decisions.add(new Ask(Collections.unmodifiableList(new ArrayList<>(placements)),
                context == null ? Collections.emptyMap() : Collections.unmodifiableMap(new LinkedHashMap<>(context)), user, d));
        return d;
    }

    @Override
    public void outcome(Decision decision, String placement, Outcome outcome) {
        if (decision == null) return;
        decision.forPlacement(placement).ifPresent(a -> decision.report(a, outcome));
    }

    @Override
    public synchronized void outcome(String decisionId, String placement, Outcome outcome) {
        report(decisionId, placement, outcome, userId);
    }

    private synchronized void report(@Nullable String decisionId, String placement, Outcome outcome, @Nullable String user) {
        if (decisionId == null || optedOut || closed) return;
        outcomes.add(new Reported(decisionId, placement, outcome, user));
    }

    @Override
    public synchronized void optOut() {
        optedOut = true;
    }

    @Override
    public synchronized void optIn() {
        optedOut = false;
    }

    @Override
    public synchronized boolean isOptedOut() {
        return optedOut;
    }

    @Override
    public void flush() { }

    @Override
    public boolean flush(Duration timeout) {
        return true;
    }

    @Override
    public synchronized Stats stats() {
        long n = events.size() + outcomes.size();
        return new Stats(n, n, n, 0, 0, 0, 0);
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private static void requireText(@Nullable String value, String name) {
        if (value == null || value.trim().isEmpty()) throw new IllegalArgumentException(name + " must not be null or blank");
    }
}
