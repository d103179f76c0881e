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
import io.micronaut.http.HttpStatus;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The rule versions and which of them serve traffic. Uploads are compiled (and so validated)
 * before they are stored; activation, canary, promotion and roll back replace one immutable
 * {@link Routing} in a single volatile write, so a request sees either the old or the new
 * routing and never a half-built one. Compiled versions that stop serving are closed after a
 * grace period, once requests in flight are done with them.
 *
 * <p>On first start the built-in default pack becomes {@code v1} and is activated.
 */
@io.micronaut.context.annotation.Context
public class RuleRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(RuleRegistry.class);
    private static final long GRACE_SECONDS = 30;
    /** Users are hashed into 10,000 buckets, so 0.01 % is the smallest canary. */
    static final double MIN_CANARY_PERCENT = 0.01;

    /** What {@link #route} reads: immutable, swapped atomically. */
    public record Routing(CompiledRules active, CompiledRules canary, int canaryBasisPoints, RoutingState state) {}

    /** The rules one request is evaluated with. */
    public record Route(CompiledRules rules, boolean canary) {}

    private final RuleStore store;
    private final RuleCompiler compiler;
    private final BreakerConfig breakerConfig;
    private final Map<CompiledRules, Breaker> breakers = new ConcurrentHashMap<>();
    private final io.micrometer.core.instrument.Counter trips;
    private final Map<String, RuleVersion> versions = new LinkedHashMap<>();
    private final Map<String, CompiledRules> compiled = new ConcurrentHashMap<>();
    private final ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kairos-rules-closer");
        t.setDaemon(true);
        return t;
    });
    private volatile Routing routing;

    public RuleRegistry(KairosConfig config, RuleCompiler compiler, BreakerConfig breakerConfig,
                        io.micrometer.core.instrument.MeterRegistry meters) {
        this.store = new RuleStore(config.dataDir());
        this.compiler = compiler;
        this.breakerConfig = breakerConfig;
        this.trips = io.micrometer.core.instrument.Counter.builder("kairos.rules.breaker.trips")
                .description("Rules versions taken out of service by the circuit breaker").register(meters);
        for (RuleVersion v : store.loadVersions()) versions.put(v.id(), v);
        RoutingState state = store.loadState().orElse(null);
        if (!versions.isEmpty() && (state == null || !versions.containsKey(state.active()))) {
            LOG.warn("rules routing state missing or naming an unknown version; activating the oldest stored version");
        }
        if (versions.isEmpty() || state == null || !versions.containsKey(state.active())) {
            RuleVersion v1 = versions.isEmpty() ? upload(filesOf(RulePack.defaults()), "built-in default pack") : versions.values().iterator().next();
            state = new RoutingState(v1.id(), null, 0, List.of());
            store.save(state);
        }
        if (state.canary() != null && !versions.containsKey(state.canary())) {
            LOG.warn("canary version {} is not stored; ending the canary", state.canary());
            state = new RoutingState(state.active(), null, 0, state.history());
            store.save(state);
        }
        this.routing = routingFor(state);
        LOG.info("rules version {} active{}", state.active(), state.canary() == null ? "" : ", " + state.canary() + " in canary at " + state.canaryPercent() + " %");
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

    /** Stable bucket 0..9999 of a user for a canary version (FNV-1a over version and user). */
    static int bucket(String version, String userKey) {
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
        return compiler.validate(packOf(files));
    }

    /** Compiles and stores a new version; throws a 422 listing the problems when it does not compile. */
    public synchronized RuleVersion upload(Map<String, String> files, String description) {
        String id = "v" + (versions.keySet().stream().mapToInt(RuleStore::number).filter(n -> n != Integer.MAX_VALUE).max().orElse(0) + 1);
        CompileResult result = compiler.compile(id, packOf(files));
        if (!result.ok()) throw invalid(result.problems());
        RuleVersion version = new RuleVersion(id, Instant.now(), description == null ? "" : description, sha256(files), files, result.ruleNames());
        store.save(version);
        versions.put(id, version);
        // Not kept compiled: a version costs memory only while it serves (it is compiled again on activation).
        result.orThrow().close();
        LOG.info("rules version {} uploaded: {} files, {} rules", id, files.size(), result.ruleNames().size());
        return version;
    }

    public synchronized List<RuleVersion> versions() { return new ArrayList<>(versions.values()); }

    public synchronized Optional<RuleVersion> version(String id) { return Optional.ofNullable(versions.get(id)); }

    public RoutingState state() { return routing.state; }

    /**
     * Activates {@code id}: for everyone when {@code canaryPercent} is null or 100, else as a canary
     * for that share of users (the active version keeps the rest).
     */
    public synchronized RoutingState activate(String id, Double canaryPercent) {
        if (!versions.containsKey(id)) throw ApiException.notFound("no rules version '" + id + "'");
        RoutingState s = routing.state;
        RoutingState next;
        if (canaryPercent == null || canaryPercent >= 100) {
            next = id.equals(s.active()) ? new RoutingState(id, null, 0, s.history(), s.changes()) : new RoutingState(id, null, 0, push(s.history(), s.active()), s.changes());
            next = next.with(new RoutingState.Change(Instant.now(), "activate", id, "admin", null));
        } else {
            if (!(canaryPercent >= MIN_CANARY_PERCENT)) {
                throw ApiException.badRequest("out_of_range", "canaryPercent must be between 0.01 and 100", "canaryPercent");
            }
            if (id.equals(s.active())) throw ApiException.conflict("already_active", id + " is already the active version");
            next = new RoutingState(s.active(), id, canaryPercent, s.history(), s.changes())
                    .with(new RoutingState.Change(Instant.now(), "canary", id, "admin", canaryPercent + " % of users"));
        }
        return swap(next);
    }

    /** Makes the canary the active version for everyone. */
    public synchronized RoutingState promote() {
        RoutingState s = routing.state;
        if (s.canary() == null) throw ApiException.conflict("no_canary", "there is no canary to promote");
        return swap(new RoutingState(s.canary(), null, 0, push(s.history(), s.active()), s.changes())
                .with(new RoutingState.Change(Instant.now(), "promote", s.canary(), "admin", null)));
    }

    /** Ends the canary if there is one, else goes back to the previously active version. */
    public synchronized RoutingState rollback() {
        RoutingState s = routing.state;
        if (s.canary() == null && s.history().isEmpty()) {
            throw ApiException.conflict("nothing_to_roll_back", "no earlier active version to roll back to");
        }
        return swap(rolledBack(s, s.canary() != null ? s.canary() : s.active(), "rollback", "admin", null));
    }

    /** {@code s} with {@code version} (its canary, or its active version) out of service and the change logged. */
    private static RoutingState rolledBack(RoutingState s, String version, String action, String by, String reason) {
        RoutingState.Change change = new RoutingState.Change(Instant.now(), action, version, by, reason);
        if (version.equals(s.canary())) return new RoutingState(s.active(), null, 0, s.history(), s.changes()).with(change);
        List<String> history = new ArrayList<>(s.history());
        String previous = history.remove(history.size() - 1);
        return new RoutingState(previous, null, 0, history, s.changes()).with(change);
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
     * Takes a misbehaving version out of service: a canary is rolled back; an active version is
     * replaced by the previously active one. Logged, counted in {@code kairos.rules.breaker.trips}
     * and recorded with its reason in the routing log ({@code changes}). Without an earlier version
     * to restore, the version keeps serving (its failures answer with the fallback) and the trip is
     * logged.
     */
    synchronized void takeOutOfService(String version, String reason) {
        RoutingState s = routing.state;
        trips.increment();
        if (version.equals(s.canary()) || version.equals(s.active()) && !s.history().isEmpty()) {
            RoutingState next = swap(rolledBack(s, version, "auto-rollback", "breaker", reason));
            LOG.error("rules version {} taken out of service ({}); now active {}{}", version, reason, next.active(),
                    next.canary() == null ? "" : ", canary " + next.canary());
        } else if (version.equals(s.active())) {
            swap(s.with(new RoutingState.Change(Instant.now(), "breaker-tripped", version, "breaker",
                    reason + "; no earlier version to restore, so it keeps serving")));
            LOG.error("rules version {} tripped the circuit breaker ({}) but there is no earlier version to restore", version, reason);
        }
    }

    private RoutingState swap(RoutingState next) {
        Routing before = routing;
        Routing after = routingFor(next);
        store.save(next);
        routing = after;
        LOG.info("rules routing: active {}{}", next.active(), next.canary() == null ? "" : ", canary " + next.canary() + " at " + next.canaryPercent() + " %");
        retire(before, after);
        return next;
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
            return r.orThrow();
        });
    }

    /** Closes compiled versions that no longer serve, after requests in flight had time to finish. */
    private void retire(Routing before, Routing after) {
        for (CompiledRules old : new CompiledRules[] {before.active, before.canary}) {
            if (old == null || old == after.active || old == after.canary) continue;
            closer.schedule(() -> {
                Routing now = routing;
                if (old != now.active && old != now.canary && compiled.remove(old.version(), old)) {
                    breakers.remove(old);
                    old.close();
                }
            }, GRACE_SECONDS, TimeUnit.SECONDS);
        }
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
        closer.shutdownNow();
        compiled.values().forEach(CompiledRules::close);
    }
}
