package dev.kairos.server.rules;

import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompileResult;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.engine.RuleProblem;
import dev.kairos.rules.engine.RuleSource;
import dev.kairos.service.api.ApiException;
import dev.kairos.server.config.KairosConfig;
import dev.kairos.server.kafka.Topics;
import io.micronaut.configuration.kafka.annotation.KafkaClient;
import io.micronaut.http.HttpStatus;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The rule versions and which of them serve traffic, shared by every instance through the rules
 * topic ({@link RulesLog}): each change (an upload, an activation, a canary, a promotion, a roll
 * back, the breaker's automatic roll back) is an entry of that log, and every instance applies
 * the log in the same order, so all hold the same versions and routing. A write waits until this
 * instance has applied its entry (read-your-writes) and answers with the outcome; other instances
 * apply it within moments. Routing changes are compare-and-set on {@link RoutingState#revision()}:
 * a change based on a revision another change already replaced is refused everywhere alike (409
 * when the caller named the revision it saw, else retried on the new state).
 *
 * <p>Uploads are compiled (and so validated) before they are written; every instance then compiles
 * and warms the new version in the background ({@code kairos-rules-prepare}), so its activation
 * switches at once. Applying a routing change compiles the versions it needs (if not prepared
 * already) and replaces one immutable {@link Routing} in a single volatile
 * write, so a request sees either the old or the new routing and never a half-built one. Compiled
 * versions that stop serving are closed after a grace period, once requests in flight are done.
 *
 * <p>At start the topic is read to its end before the server serves. The local files under
 * {@code <data-dir>/rules} are a cache written after every change; they are read only once, to
 * migrate a single-node data folder of an earlier version when the topic is empty. With neither,
 * the built-in default pack becomes {@code v1} and is activated.
 */
@io.micronaut.context.annotation.Context
public class RuleRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(RuleRegistry.class);
    private static final long GRACE_SECONDS = 30;
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);
    /** Retries of a routing change that lost a race and did not name the revision it expected (each round, one writer wins). */
    private static final int CAS_RETRIES = 20;
    /** Synthetic evaluations a version runs before it serves. */
    static final int WARM_UP_ROUNDS = 200;
    /** Users are hashed into 10,000 buckets, so 0.01 % is the smallest canary. */
    static final double MIN_CANARY_PERCENT = 0.01;

    /** What {@link #route} reads: immutable, swapped atomically. */
    public record Routing(CompiledRules active, CompiledRules canary, int canaryBasisPoints, RoutingState state) {}

    /** The rules one request is evaluated with. */
    public record Route(CompiledRules rules, boolean canary) {}

    /** The outcome of applying a routing entry that was refused. */
    private record Refused(HttpStatus status, String code, String message, boolean conflict) {}

    private final RuleStore store;
    private final RuleCompiler compiler;
    private final KnownNames knownNames;
    private final BreakerConfig breakerConfig;
    private final Map<CompiledRules, Breaker> breakers = new ConcurrentHashMap<>();
    private final io.micrometer.core.instrument.Counter trips;
    private final Map<String, RuleVersion> versions = new LinkedHashMap<>();
    private final Map<String, CompiledRules> compiled = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Object>> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kairos-rules-closer");
        t.setDaemon(true);
        return t;
    });
    /** Compiles and warms each newly uploaded version ahead of its activation, off the log's thread. */
    private final ExecutorService preparer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kairos-rules-prepare");
        t.setDaemon(true);
        return t;
    });
    /** The version prepared last that may not serve yet (at most one such is kept compiled). */
    private String prepared;
    private volatile boolean following;
    private final RulesLog log;
    private volatile Routing routing;
    private volatile RoutingState state;

    public RuleRegistry(KairosConfig config, RuleCompiler compiler, BreakerConfig breakerConfig,
                        io.micrometer.core.instrument.MeterRegistry meters, Topics topics,
                        @KafkaClient("kairos-rules") Producer<String, byte[]> producer, KnownNames knownNames) {
        this.store = new RuleStore(config.dataDir());
        this.compiler = compiler;
        this.knownNames = knownNames;
        this.breakerConfig = breakerConfig;
        this.trips = io.micrometer.core.instrument.Counter.builder("kairos.rules.breaker.trips")
                .description("Rules versions taken out of service by the circuit breaker").register(meters);
        this.log = new RulesLog(topics.config().rules(), topics.clientConfig(), producer);
        int read = log.catchUp(this::apply, CATCH_UP_TIMEOUT);
        LOG.info("read {} entries of the rules topic {}", read, topics.config().rules());
        if (state == null) bootstrap();
        if (routing == null) throw new IllegalStateException("the rules topic holds no routing that this instance can serve");
        following = true;
        log.follow(this::apply);
        LOG.info("rules version {} active{} (revision {})", state.active(),
                state.canary() == null ? "" : ", " + state.canary() + " in canary at " + state.canaryPercent() + " %", state.revision());
    }

    /**
     * A first start on this topic: the versions and routing of a single-node data folder are
     * migrated once (keeping their ids), or else the built-in default pack becomes v1 and is
     * activated. Instances starting together write the same entries; the log keeps one outcome.
     */
    private void bootstrap() {
        List<RuleVersion> local = store.loadVersions();
        Optional<RoutingState> localState = store.loadState();
        // The follower does not run yet: write, then read the topic to its end to apply what was written.
        if (!local.isEmpty() && localState.isPresent() && local.stream().anyMatch(v -> v.id().equals(localState.get().active()))) {
            LOG.info("migrating {} rule versions of {} to the rules topic", local.size(), store.root());
            for (RuleVersion v : local) {
                log.send(RulesCommand.upload(UUID.randomUUID().toString(), v.createdAt(), v.id(), true, v.description(), v.files(), v.rules(), v.sha256()));
            }
            RoutingState s = localState.get();
            List<String> history = s.history().stream().filter(h -> local.stream().anyMatch(v -> v.id().equals(h))).toList();
            String canary = s.canary() != null && local.stream().anyMatch(v -> v.id().equals(s.canary())) ? s.canary() : null;
            log.send(RulesCommand.restore(UUID.randomUUID().toString(), Instant.now(),
                    new RoutingState(s.active(), canary, canary == null ? 0 : s.canaryPercent(), history, s.changes(), 0)));
        } else {
            Map<String, String> files = filesOf(RulePack.defaults());
            CompileResult r = compiler.validate(RulePack.defaults());
            log.send(RulesCommand.upload(UUID.randomUUID().toString(), Instant.now(), "v1", true, "built-in default pack", files,
                    r.ruleNames(), sha256(files)));
            log.send(RulesCommand.route(UUID.randomUUID().toString(), Instant.now(), "admin", "first start", 0, "activate", "v1", null));
        }
        // Instances starting together may write the same entries: each applies the first routing, the rest are conflicts.
        log.catchUp(this::apply, CATCH_UP_TIMEOUT);
    }

    /** Whether {@code id} is compiled and warmed up on this instance, so activating it switches at once. */
    public boolean isReady(String id) {
        return compiled.containsKey(id);
    }

    /** The compile limits in force. */
    public CompileLimits limits() { return compiler.limits(); }

    /** Picks the rules for {@code userKey}: the canary for users hashed into it, else the active version. */
    public Route route(String userKey) {
        Routing r = routing;
        if (r.canary != null && bucket(r.state.canary(), userKey) < r.canaryBasisPoints) {
            return new Route(r.canary, true);
        }
        return new Route(r.active, false);
    }

    /**
     * Stable bucket 0..9999 of a user for a canary version (FNV-1a over version and user): a canary
     * at p % serves the users in buckets below 100·p, on every instance alike.
     */
    public static int bucket(String version, String userKey) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (version + ':' + userKey).getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        h ^= (h >>> 33);
        return (int) Math.floorMod(h, 10_000L);
    }

    /** Compiles {@code files} without storing anything. */
    public CompileResult validate(Map<String, String> files) {
        return compiler.validate(packOf(files), knownNames.known());
    }

    /** A version just uploaded, with the linter's warnings for it (not stored: they depend on what this instance knows). */
    public record Uploaded(RuleVersion version, List<RuleProblem> warnings) {}

    /** Compiles and stores a new version on every instance; throws a 422 listing the problems when it does not compile. */
    public Uploaded upload(Map<String, String> files, String description) {
        CompileResult result = compiler.validate(packOf(files), knownNames.known());
        if (!result.ok() && !result.problems().isEmpty()) throw invalid(result.problems());
        String id = UUID.randomUUID().toString();
        Object outcome = send(RulesCommand.upload(id, Instant.now(), null, false, description == null ? "" : description, files,
                result.ruleNames(), sha256(files)));
        if (outcome instanceof RuleVersion v) {
            LOG.info("rules version {} uploaded: {} files, {} rules, {} warnings", v.id(), files.size(), v.rules().size(), result.warnings().size());
            return new Uploaded(v, result.warnings());
        }
        throw ApiException.unavailable("the upload was stored but not applied here; list the versions to see it");
    }

    public synchronized List<RuleVersion> versions() { return new ArrayList<>(versions.values()); }

    public synchronized Optional<RuleVersion> version(String id) { return Optional.ofNullable(versions.get(id)); }

    public RoutingState state() { return state; }

    /**
     * Activates {@code id}: for everyone when {@code canaryPercent} is null or 100, else as a canary
     * for that share of users (the active version keeps the rest). {@code expectedRevision}: the
     * routing revision the caller saw (409 when another change came first), or null.
     */
    public RoutingState activate(String id, Double canaryPercent, Long expectedRevision) {
        if (canaryPercent != null && canaryPercent < 100 && !(canaryPercent >= MIN_CANARY_PERCENT)) {
            throw ApiException.badRequest("out_of_range", "canaryPercent must be between 0.01 and 100", "canaryPercent");
        }
        boolean canary = canaryPercent != null && canaryPercent < 100;
        return change(expectedRevision, rev -> RulesCommand.route(UUID.randomUUID().toString(), Instant.now(), "admin",
                canary ? canaryPercent + " % of users" : null, rev, canary ? "canary" : "activate", id, canary ? canaryPercent : null));
    }

    public RoutingState activate(String id, Double canaryPercent) { return activate(id, canaryPercent, null); }

    /** Makes the canary the active version for everyone. */
    public RoutingState promote(Long expectedRevision) {
        return change(expectedRevision, rev -> RulesCommand.route(UUID.randomUUID().toString(), Instant.now(), "admin", null, rev,
                "promote", null, null));
    }

    public RoutingState promote() { return promote(null); }

    /** Ends the canary if there is one, else goes back to the previously active version. */
    public RoutingState rollback(Long expectedRevision) {
        return change(expectedRevision, rev -> RulesCommand.route(UUID.randomUUID().toString(), Instant.now(), "admin", null, rev,
                "rollback", null, null));
    }

    /**
     * Ends the canary {@code version} automatically because a guardrail found it worse than the
     * control: logged as {@code auto-rollback} by {@code guardrail} with {@code reason}. Refused
     * with 409 {@code not_canary} when {@code version} is not the canary (any more).
     */
    public RoutingState guardrailRollback(String version, String reason, Long expectedRevision) {
        if (!version.equals(state.canary())) throw ApiException.conflict("not_canary", version + " is not the canary; nothing to roll back");
        return change(expectedRevision, rev -> RulesCommand.route(UUID.randomUUID().toString(), Instant.now(), "guardrail", reason, rev,
                "auto-rollback", version, null));
    }

    public RoutingState rollback() { return rollback(null); }

    /**
     * Writes a routing change based on {@code expected} (or on the current revision, retried on
     * conflicts) and answers the routing it led to, or the refusal as an {@link ApiException}.
     */
    private RoutingState change(Long expected, java.util.function.LongFunction<RulesCommand> command) {
        for (int attempt = 0; ; attempt++) {
            long revision = expected != null ? expected : state.revision();
            Object outcome = send(command.apply(revision));
            if (outcome instanceof RoutingState s) return s;
            Refused refused = (Refused) outcome;
            if (refused.conflict() && expected == null && attempt < CAS_RETRIES) continue;
            throw new ApiException(refused.status(), refused.code(), refused.message(), null,
                    refused.conflict() ? Map.of("revision", state.revision()) : null);
        }
    }

    /** Writes {@code command} and waits until this instance applied it; answers the outcome. */
    private Object send(RulesCommand command) {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        pending.put(command.id(), outcome);
        try {
            log.send(command);
            return outcome.get(APPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while waiting for the rules change to apply");
        } catch (TimeoutException e) {
            throw ApiException.unavailable("the rules change was stored but is not applied here yet; check GET /v1/rules/state");
        } catch (ExecutionException e) {
            throw ApiException.unavailable("the rules change could not be applied: " + e.getCause().getMessage());
        } finally {
            pending.remove(command.id());
        }
    }

    // --- applying the log (one thread at a time: catch-up, then the follower) ----------------

    private synchronized void apply(long offset, RulesCommand c) {
        Object outcome = "upload".equals(c.type()) ? applyUpload(c) : applyRoute(c);
        CompletableFuture<Object> waiting = c.id() == null ? null : pending.get(c.id());
        if (waiting != null) waiting.complete(outcome);
    }

    private RuleVersion applyUpload(RulesCommand c) {
        String id = c.requestedVersion();
        if (id != null && versions.containsKey(id)) {
            if (Boolean.TRUE.equals(c.onlyIfAbsent())) return versions.get(id);
            id = null;
        }
        if (id == null) {
            id = "v" + (versions.keySet().stream().mapToInt(RuleStore::number).filter(n -> n != Integer.MAX_VALUE).max().orElse(0) + 1);
        }
        RuleVersion v = new RuleVersion(id, c.at(), c.description() == null ? "" : c.description(), c.sha256(),
                c.files() == null ? Map.of() : c.files(), c.rules() == null ? List.of() : c.rules());
        versions.put(id, v);
        store.save(v);
        if (following) prepare(id);
        return v;
    }

    /**
     * Compiles and warms up {@code id} in the background, so activating a version just uploaded
     * (through any instance) switches at once rather than compiling on the log's thread. Only the
     * latest such version is kept compiled while it does not serve.
     */
    private void prepare(String id) {
        preparer.execute(() -> {
            try {
                compiledOrCompile(id);
            } catch (RuntimeException e) {
                LOG.warn("rules version {} could not be prepared: {}", id, e.toString());
                return;
            }
            String before;
            synchronized (this) {
                before = prepared;
                prepared = id;
            }
            Routing now = routing;
            if (before != null && !before.equals(id) && (now == null || !before.equals(now.active.version())
                    && (now.canary == null || !before.equals(now.canary.version())))) {
                CompiledRules old = compiled.get(before);
                if (old != null && !serving(old)) retireLater(old);
            }
        });
    }

    private boolean serving(CompiledRules rules) {
        Routing now = routing;
        return now != null && (rules == now.active || rules == now.canary);
    }

    private Object applyRoute(RulesCommand c) {
        RoutingState s = state;
        long revision = s == null ? 0 : s.revision();
        if (c.expectedRevision() != null && c.expectedRevision() != revision) {
            return new Refused(HttpStatus.CONFLICT, "conflict", "the routing changed (now at revision " + revision + ", the change expected "
                    + c.expectedRevision() + "); read GET /v1/rules/state and try again", true);
        }
        RoutingState next;
        try {
            next = next(s, c);
        } catch (ApiException e) {
            return new Refused(e.status(), e.code(), e.getMessage(), false);
        }
        next = next.at(revision + 1);
        Routing before = routing;
        Routing after;
        try {
            after = routingFor(next);
        } catch (RuntimeException e) {
            LOG.error("rules routing change {} of {} could not be applied on this instance: {}", c.action(), c.version(), e.toString());
            return new Refused(HttpStatus.UNPROCESSABLE_ENTITY, "rules_invalid", "the version does not compile on this server: " + e.getMessage(), false);
        }
        routing = after;
        state = next;
        store.save(next);
        if (before != null) {
            LOG.info("rules routing: active {}{} (revision {}, {} by {})", next.active(),
                    next.canary() == null ? "" : ", canary " + next.canary() + " at " + next.canaryPercent() + " %", next.revision(), c.action(), c.by());
            retire(before, after);
        }
        return next;
    }

    /** The routing after {@code c} on {@code s} (null before the first routing); an ApiException when {@code c} does not apply. */
    private RoutingState next(RoutingState s, RulesCommand c) {
        Instant at = c.at() == null ? Instant.now() : c.at();
        RoutingState.Change change = new RoutingState.Change(at, c.action(), c.version(), c.by(), c.reason());
        if ("restore".equals(c.action())) {
            RoutingState r = c.state();
            if (r == null || !versions.containsKey(r.active())) throw ApiException.notFound("no rules version '" + (r == null ? null : r.active()) + "'");
            return new RoutingState(r.active(), r.canary(), r.canaryPercent(), r.history(), r.changes(), 0).with(change);
        }
        if (s == null && !"activate".equals(c.action())) throw ApiException.conflict("no_routing", "no version is active yet");
        switch (c.action()) {
            case "activate" -> {
                requireVersion(c.version());
                if (s == null) return new RoutingState(c.version(), null, 0, List.of(), List.of(), 0).with(change);
                RoutingState n = c.version().equals(s.active()) ? new RoutingState(c.version(), null, 0, s.history(), s.changes(), 0)
                        : new RoutingState(c.version(), null, 0, push(s.history(), s.active()), s.changes(), 0);
                return n.with(change);
            }
            case "canary" -> {
                requireVersion(c.version());
                if (c.version().equals(s.active())) throw ApiException.conflict("already_active", c.version() + " is already the active version");
                return new RoutingState(s.active(), c.version(), c.canaryPercent(), s.history(), s.changes(), 0).with(change);
            }
            case "promote" -> {
                if (s.canary() == null) throw ApiException.conflict("no_canary", "there is no canary to promote");
                return new RoutingState(s.canary(), null, 0, push(s.history(), s.active()), s.changes(), 0)
                        .with(new RoutingState.Change(at, "promote", s.canary(), c.by(), c.reason()));
            }
            case "rollback", "auto-rollback" -> {
                String version = c.version() != null ? c.version() : s.canary() != null ? s.canary() : s.active();
                if (version.equals(s.canary())) {
                    return new RoutingState(s.active(), null, 0, s.history(), s.changes(), 0)
                            .with(new RoutingState.Change(at, c.action(), version, c.by(), c.reason()));
                }
                if (!version.equals(s.active())) throw ApiException.conflict("not_serving", version + " is not serving any more");
                if (s.history().isEmpty()) throw ApiException.conflict("nothing_to_roll_back", "no earlier active version to roll back to");
                List<String> history = new ArrayList<>(s.history());
                String previous = history.remove(history.size() - 1);
                return new RoutingState(previous, null, 0, history, s.changes(), 0)
                        .with(new RoutingState.Change(at, c.action(), version, c.by(), c.reason()));
            }
            case "breaker-tripped" -> {
                return new RoutingState(s.active(), s.canary(), s.canaryPercent(), s.history(), s.changes(), 0).with(change);
            }
            default -> throw ApiException.badRequest("invalid_value", "unknown routing action '" + c.action() + "'", "action");
        }
    }

    private void requireVersion(String id) {
        if (id == null || !versions.containsKey(id)) throw ApiException.notFound("no rules version '" + id + "'");
    }

    /**
     * Reports what became of one evaluation by {@code rules}: {@code failure} is null for an
     * answer, else {@code "deadline"} or {@code "error"}. When the version's breaker trips, the
     * version is taken out of service on another thread (see {@link #takeOutOfService}).
     */
    public void report(CompiledRules rules, String failure) {
        if (!breakerConfig.enabled()) return;
        Breaker b = breakers.get(rules);
        if (b != null && b.record(failure)) {
            String reason = "circuit breaker: " + b.reason();
            closer.execute(() -> takeOutOfService(rules.version(), reason));
        }
    }

    /**
     * Takes a misbehaving version out of service on every instance: a canary is rolled back; an
     * active version is replaced by the previously active one. Logged, counted in
     * {@code kairos.rules.breaker.trips} and recorded with its reason in the routing log
     * ({@code changes}). Without an earlier version to restore, the version keeps serving (its
     * failures answer with the fallback) and the trip is recorded. When several instances trip for
     * the same version, the first entry in the log wins and the others are refused as conflicts.
     */
    void takeOutOfService(String version, String reason) {
        trips.increment();
        RoutingState s = state;
        boolean canRollBack = version.equals(s.canary()) || version.equals(s.active()) && !s.history().isEmpty();
        if (!version.equals(s.canary()) && !version.equals(s.active())) return;
        Object outcome;
        try {
            outcome = send(RulesCommand.route(UUID.randomUUID().toString(), Instant.now(), "breaker",
                    canRollBack ? reason : reason + "; no earlier version to restore, so it keeps serving", s.revision(),
                    canRollBack ? "auto-rollback" : "breaker-tripped", version, null));
        } catch (ApiException e) {
            LOG.error("rules version {} tripped the circuit breaker ({}) but the roll back could not be written: {}", version, reason, e.getMessage());
            return;
        }
        if (outcome instanceof RoutingState next && canRollBack) {
            LOG.error("rules version {} taken out of service ({}); now active {}{}", version, reason, next.active(),
                    next.canary() == null ? "" : ", canary " + next.canary());
        } else if (outcome instanceof RoutingState) {
            LOG.error("rules version {} tripped the circuit breaker ({}) but there is no earlier version to restore", version, reason);
        }
    }

    private Routing routingFor(RoutingState state) {
        CompiledRules active = compiledOrCompile(state.active());
        CompiledRules canary = state.canary() == null ? null : compiledOrCompile(state.canary());
        // A version starts with a clean breaker each time it starts serving in a role.
        if (routing == null || routing.active != active && routing.canary != active) breakers.put(active, new Breaker(breakerConfig));
        if (canary != null && (routing == null || routing.canary != canary && routing.active != canary)) breakers.put(canary, new Breaker(breakerConfig));
        return new Routing(active, canary, (int) Math.round(state.canaryPercent() * 100), state);
    }

    private CompiledRules compiledOrCompile(String id) {
        return compiled.computeIfAbsent(id, k -> {
            RuleVersion v = versions.get(k);
            CompileResult r = compiler.compile(k, packOf(v.files()));
            if (!r.ok()) {
                throw new IllegalStateException("stored rules version " + k + " no longer compiles: " + r.problems());
            }
            // Before it serves: its first decisions must not spend their deadline on warming up.
            CompiledRules rules = r.orThrow();
            rules.warmUp(WARM_UP_ROUNDS);
            return rules;
        });
    }

    /** Closes compiled versions that no longer serve, after requests in flight had time to finish. */
    private void retire(Routing before, Routing after) {
        for (CompiledRules old : new CompiledRules[] {before.active, before.canary}) {
            if (old == null || old == after.active || old == after.canary) continue;
            retireLater(old);
        }
    }

    /** Closes {@code old} after the grace period unless it serves (again) by then or is the version just prepared. */
    private void retireLater(CompiledRules old) {
        closer.schedule(() -> {
            synchronized (this) {
                if (old.version().equals(prepared) && !serving(old)) return;
            }
            if (!serving(old) && compiled.remove(old.version(), old)) {
                breakers.remove(old);
                old.close();
            }
        }, GRACE_SECONDS, TimeUnit.SECONDS);
    }

    private static List<String> push(List<String> history, String id) {
        List<String> h = new ArrayList<>(history);
        h.add(id);
        return h.size() > 20 ? h.subList(h.size() - 20, h.size()) : h;
    }

    static ApiException invalid(List<RuleProblem> problems) {
        List<Map<String, Object>> list = problems.stream().map(RuleRegistry::problemJson).toList();
        RuleProblem first = problems.get(0);
        return new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "rules_invalid",
                problems.size() + " problem(s), first: " + first, null, Map.of("problems", list));
    }

    static Map<String, Object> problemJson(RuleProblem p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", p.file());
        m.put("line", p.line());
        m.put("column", p.column());
        m.put("kind", p.kind());
        m.put("message", p.message());
        return m;
    }

    private static RulePack packOf(Map<String, String> files) {
        List<RuleSource> sources = new ArrayList<>();
        files.forEach((name, drl) -> sources.add(new RuleSource(name, drl)));
        return new RulePack(sources);
    }

    private static Map<String, String> filesOf(RulePack pack) {
        Map<String, String> files = new LinkedHashMap<>();
        for (RuleSource s : pack.sources()) files.put(s.name(), s.drl());
        return files;
    }

    private static String sha256(Map<String, String> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            files.forEach((name, drl) -> {
                md.update(name.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(drl.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            });
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @PreDestroy
    public void close() {
        log.close();
        preparer.shutdownNow();
        closer.shutdownNow();
        compiled.values().forEach(CompiledRules::close);
    }
}
