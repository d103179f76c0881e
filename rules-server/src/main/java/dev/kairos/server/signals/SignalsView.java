package dev.kairos.server.signals;

import dev.kairos.rules.input.StoredUser;
import dev.kairos.server.config.KairosConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.configuration.kafka.streams.InteractiveQueryService;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import reactor.core.publisher.Mono;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads a user's latest signals for decide, following an anonymous id to the user it identified as.
 *
 * <p><b>Global mode</b> (default): from this instance's copy of the whole signals topic (a global
 * store); parsed states are cached while the stored bytes are unchanged. Every lookup is local.
 *
 * <p><b>Partitioned mode</b> ({@code kairos.signals.mode=partitioned}): each user lives in the
 * {@code user-state} store of the instance that owns the user's partition (Kafka Streams' key
 * metadata says which) and in its standby replicas. A lookup reads the local store when this
 * instance is the active owner, else asks the owner over HTTP ({@code GET /internal/signals/{key}},
 * {@link InternalSignalsController}, with Micronaut's non-blocking client {@code kairos-peers}), then each standby (its copy may trail by the changelog lag),
 * each within {@code kairos.signals.remote-timeout}. When no copy answers — a rebalance with no
 * standby, or every owner down — the lookup says {@link Source#UNAVAILABLE} and decide answers from
 * the request alone, flagged in its explanation.
 *
 * <p>Before the stores are ready (start-up), users read as unknown (global) or unavailable (partitioned).
 */
@Singleton
public class SignalsView {
    private static final int MAX_CACHED = 100_000;
    private static final Serializer<String> KEYS = Serdes.String().serializer();

    /** Where a lookup's answer came from. */
    public enum Source {
        /** This instance's own copy: the global view, or the active partition. */
        LOCAL,
        /** The owning instance, over HTTP. */
        REMOTE,
        /** A standby replica (here or elsewhere): current up to the changelog lag. */
        STANDBY,
        /** No copy of the user's state could be reached; decide goes on without it. */
        UNAVAILABLE
    }

    /**
     * A lookup's answer: the state (null when the user is unknown, or unavailable), where it came
     * from, and which instance answered (host:port in partitioned mode, else null).
     */
    public record Lookup(UserState state, Source source, String heldBy) {
        static final Lookup UNAVAILABLE = new Lookup(null, Source.UNAVAILABLE, null);
    }

    private record Parsed(byte[] raw, UserState state) {}

    /** A store partition not readable here (not hosted, or migrating); the next copy is tried. */
    static final class NotHostedException extends RuntimeException {
        NotHostedException(String message) {
            super(message, null, false, false);
        }
    }

    private final SignalConfig config;
    private final SignalRules rules;
    private final InteractiveQueryService queries;
    private final Provider<KafkaStreams> streams;
    /** Whether this instance runs the signal engine (not on an ingest-only instance, KAIROS_ROLE=ingest). */
    private final boolean engineRuns;
    private final String adminKey;
    private final HostInfo self;
    private final Provider<HttpClient> peers;
    private final ConcurrentHashMap<String, Parsed> cache = new ConcurrentHashMap<>();
    private final EnumMap<Source, Counter> lookups = new EnumMap<>(Source.class);
    private volatile ReadOnlyKeyValueStore<String, byte[]> view;

    public SignalsView(InteractiveQueryService queries, Provider<KafkaStreams> streams, SignalConfig config,
                       KairosConfig kairos, MeterRegistry meters, @Client(id = "kairos-peers") Provider<HttpClient> peers,
                       @io.micronaut.context.annotation.Value("${kafka.streams.default.start-kafka-streams:true}") boolean engineRuns) {
        this.engineRuns = engineRuns;
        this.queries = queries;
        this.streams = streams;
        this.config = config;
        this.rules = new SignalRules(config);
        this.adminKey = kairos.adminKey();
        this.self = config.partitioned() ? advertised(config) : advertisedOrNull(config);
        this.peers = peers;
        for (Source s : Source.values()) {
            lookups.put(s, Counter.builder("kairos.signals.lookups").tag("source", s.name().toLowerCase(java.util.Locale.ROOT))
                    .description("Stored-signal lookups for decide, by where the answer came from").register(meters));
        }
    }

    /** This instance's address for interactive queries ({@code kairos.signals.advertised}, host:port). */
    static HostInfo advertised(SignalConfig config) {
        String a = config.advertised();
        int colon = a == null ? -1 : a.lastIndexOf(':');
        int port = -1;
        if (colon > 0) {
            try {
                port = Integer.parseInt(a.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        if (port <= 0 || port > 65535) {
            throw new ConfigurationException("kairos.signals.mode=partitioned needs kairos.signals.advertised: this instance's "
                    + "host:port as the other instances reach it (KAIROS_ADVERTISED_HOST and a fixed KAIROS_RULES_PORT), was '" + a + "'");
        }
        return new HostInfo(a.substring(0, colon), port);
    }

    /** {@link #advertised}, or null when not set to a usable address (allowed in global mode). */
    static HostInfo advertisedOrNull(SignalConfig config) {
        try {
            return advertised(config);
        } catch (ConfigurationException e) {
            return null;
        }
    }

    /**
     * The instance whose signal engine owns {@code userKey}'s partition (folds its events), as
     * host:port; empty when unknown (starting, rebalancing, or no advertised address in global mode).
     */
    public Optional<String> owner(String userKey) {
        if (self == null || userKey == null) return Optional.empty();
        try {
            KeyQueryMetadata md = streams.get().queryMetadataForKey(SignalTopology.STATE_STORE, userKey, KEYS);
            if (md == null || KeyQueryMetadata.NOT_AVAILABLE.equals(md) || md.activeHost() == null || md.activeHost().port() <= 0) return Optional.empty();
            return Optional.of(address(md.activeHost()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether users are spread over the instances (partitioned mode). */
    public boolean partitioned() {
        return config.partitioned();
    }

    /**
     * The user's state, following an alias once. Completes at once in global mode and when this
     * instance owns the user; otherwise after at most a few remote timeouts.
     */
    public CompletableFuture<Lookup> lookup(String userKey) {
        if (userKey == null) return CompletableFuture.completedFuture(new Lookup(null, Source.LOCAL, null));
        if (!config.partitioned()) {
            UserState s = readView(userKey);
            if (s != null && s.aliasOf != null) s = readView(s.aliasOf);
            lookups.get(Source.LOCAL).increment();
            return CompletableFuture.completedFuture(new Lookup(s, Source.LOCAL, null));
        }
        return counted(find(userKey).thenCompose(first -> {
            if (first.state() == null || first.state().aliasOf == null) return CompletableFuture.completedFuture(first);
            return find(first.state().aliasOf).thenApply(user -> user.source() == Source.UNAVAILABLE ? user
                    : new Lookup(user.state(), worst(first.source(), user.source()), user.heldBy()));
        }));
    }

    /** The decision facts for {@code state} at {@code now}, or null for an unknown user. */
    public StoredUser stored(UserState state, Instant now) {
        return state == null ? null : rules.toStored(state, now);
    }

    /**
     * The user an anonymous id identified as, if this instance can tell without asking another:
     * always in global mode; in partitioned mode the signal engine re-keys such events itself.
     */
    public Optional<String> aliasOf(String anonymousId) {
        // Partitioned mode, or an ingest-only instance (no engine, no view): the engine re-routes such events itself.
        if (config.partitioned() || !engineRuns) return Optional.empty();
        UserState s = readView(anonymousId);
        return s == null ? Optional.empty() : Optional.ofNullable(s.aliasOf);
    }

    /**
     * This instance's copy of {@code key}'s state in {@code partition} (partitioned mode, for
     * {@link InternalSignalsController}): empty when the user is unknown there.
     *
     * @param stale whether a standby or restoring copy may answer
     * @throws NotHostedException when this instance holds no readable copy of that partition
     */
    Optional<UserState> hosted(String key, int partition, boolean stale) {
        if (!config.partitioned()) throw new NotHostedException("this instance runs the global signals mode");
        return Optional.ofNullable(readLocal(key, partition, stale));
    }

    /**
     * Visits every user whose state this instance's signal engine folds (its active partitions, in
     * either mode, so each user is visited by one instance), alias records skipped; returns how
     * many. Reads the whole local store: for periodic sweeps, not per request.
     */
    public int forEachOwned(java.util.function.BiConsumer<String, UserState> each) {
        int n = 0;
        try {
            ReadOnlyKeyValueStore<String, byte[]> store = streams.get().store(StoreQueryParameters.fromNameAndType(SignalTopology.STATE_STORE,
                    QueryableStoreTypes.<String, byte[]>keyValueStore()));
            try (org.apache.kafka.streams.state.KeyValueIterator<String, byte[]> it = store.all()) {
                while (it.hasNext()) {
                    org.apache.kafka.streams.KeyValue<String, byte[]> kv = it.next();
                    if (kv.value == null) continue;
                    UserState s = UserStateSerde.read(kv.value);
                    if (s.aliasOf != null) continue;
                    each.accept(kv.key, s);
                    n++;
                }
            }
        } catch (InvalidStateStoreException e) {
            // starting or rebalancing: the next sweep sees the store
        }
        return n;
    }

    // ---- partitioned mode ----

    /** One copy of a user's partition to ask: the active one, or a standby/restoring one ({@code stale}). */
    private record Copy(HostInfo host, boolean stale) {}

    private CompletableFuture<Lookup> find(String key) {
        KafkaStreams ks = streams.get();
        KeyQueryMetadata md;
        try {
            md = ks.queryMetadataForKey(SignalTopology.STATE_STORE, key, KEYS);
        } catch (RuntimeException e) {
            md = null;
        }
        if (md == null || KeyQueryMetadata.NOT_AVAILABLE.equals(md) || md.partition() < 0) {
            return CompletableFuture.completedFuture(Lookup.UNAVAILABLE);
        }
        // The active copy; then a copy here (a standby, or the active one still restoring after a
        // rebalance: no network, as current as any); then the other standbys.
        List<Copy> copies = new ArrayList<>(3);
        HostInfo active = md.activeHost();
        if (active != null && active.port() > 0) copies.add(new Copy(active, false));
        copies.add(new Copy(self, true));
        for (HostInfo h : md.standbyHosts()) if (h.port() > 0 && !h.equals(self)) copies.add(new Copy(h, true));
        return attempt(key, md.partition(), copies, 0);
    }

    private CompletableFuture<Lookup> attempt(String key, int partition, List<Copy> copies, int i) {
        if (i >= copies.size()) return CompletableFuture.completedFuture(Lookup.UNAVAILABLE);
        Copy copy = copies.get(i);
        Source source = copy.stale() ? Source.STANDBY : copy.host().equals(self) ? Source.LOCAL : Source.REMOTE;
        if (copy.host().equals(self)) {
            try {
                return CompletableFuture.completedFuture(new Lookup(readLocal(key, partition, copy.stale()), source, address(self)));
            } catch (NotHostedException e) {
                return attempt(key, partition, copies, i + 1);
            }
        }
        return remote(copy.host(), key, partition, copy.stale())
                .thenApply(state -> new Lookup(state.orElse(null), source, address(copy.host())))
                .exceptionallyCompose(e -> attempt(key, partition, copies, i + 1));
    }

    private CompletableFuture<Optional<UserState>> remote(HostInfo host, String key, int partition, boolean stale) {
        URI uri = URI.create("http://" + host.host() + ':' + host.port() + "/internal/signals/"
                + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20") + "?partition=" + partition + "&stale=" + stale);
        MutableHttpRequest<?> request = io.micronaut.http.HttpRequest.GET(uri).bearerAuth(adminKey);
        return Mono.from(peers.get().exchange(request, byte[].class)).toFuture()
                .orTimeout(config.remoteTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .handle((r, e) -> {
                    Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
                    if (cause instanceof HttpClientResponseException h && h.getStatus().getCode() == 404) return Optional.<UserState>empty();
                    if (cause != null) throw new NotHostedException(address(host) + ": " + cause);
                    if (r.getStatus().getCode() != 200 || r.body() == null) throw new NotHostedException(address(host) + " answered " + r.getStatus().getCode());
                    return Optional.of(UserStateSerde.read(r.body()));
                });
    }

    private final ConcurrentHashMap<Long, ReadOnlyKeyValueStore<String, byte[]>> partitions = new ConcurrentHashMap<>();

    private UserState readLocal(String key, int partition, boolean stale) {
        long id = ((long) partition << 1) | (stale ? 1 : 0);
        for (int tries = 0; tries < 2; tries++) {
            ReadOnlyKeyValueStore<String, byte[]> store = partitions.get(id);
            try {
                if (store == null) {
                    StoreQueryParameters<ReadOnlyKeyValueStore<String, byte[]>> q = StoreQueryParameters
                            .fromNameAndType(SignalTopology.STATE_STORE, QueryableStoreTypes.<String, byte[]>keyValueStore())
                            .withPartition(partition);
                    store = streams.get().store(stale ? q.enableStaleStores() : q);
                    partitions.put(id, store);
                }
                return parsed(key, store.get(key));
            } catch (InvalidStateStoreException e) {
                // Migrated, closed or not here: look the partition up afresh once, then give up.
                partitions.remove(id);
                if (tries == 1 || store == null) throw new NotHostedException("partition " + partition + " of the user state is not readable here: " + e.getMessage());
            }
        }
        throw new NotHostedException("partition " + partition + " of the user state is not readable here");
    }

    private static String address(HostInfo h) {
        return h.host() + ':' + h.port();
    }

    private static Source worst(Source a, Source b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    private CompletableFuture<Lookup> counted(CompletableFuture<Lookup> f) {
        return f.whenComplete((l, e) -> {
            if (l != null) lookups.get(l.source()).increment();
        });
    }

    // ---- global mode ----

    private UserState readView(String key) {
        ReadOnlyKeyValueStore<String, byte[]> s = view();
        if (s == null || key == null) return null;
        byte[] raw;
        try {
            raw = s.get(key);
        } catch (InvalidStateStoreException e) {
            view = null;
            return null;
        }
        return parsed(key, raw);
    }

    /** The state in {@code raw}, parsed once while the stored bytes stay the same (never modified by readers). */
    private UserState parsed(String key, byte[] raw) {
        if (raw == null) {
            cache.remove(key); // erased or never known: keep no parsed copy either
            return null;
        }
        Parsed p = cache.get(key);
        if (p != null && Arrays.equals(p.raw, raw)) return p.state;
        UserState state = UserStateSerde.read(raw);
        if (cache.size() >= MAX_CACHED) cache.clear();
        cache.put(key, new Parsed(raw, state));
        return state;
    }

    private ReadOnlyKeyValueStore<String, byte[]> view() {
        ReadOnlyKeyValueStore<String, byte[]> s = view;
        if (s == null) {
            try {
                s = queries.getQueryableStore(SignalTopology.VIEW_STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()).orElse(null);
            } catch (InvalidStateStoreException e) {
                s = null;
            }
            view = s;
        }
        return s;
    }
}
