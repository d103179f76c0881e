package dev.kairos.server.signals;

import dev.kairos.rules.input.StoredUser;
import io.micronaut.configuration.kafka.streams.InteractiveQueryService;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a user's latest signals from this instance's copy of the signals topic (a global store),
 * following an anonymous id to the user it identified as. Parsed states are cached and reused
 * while the stored bytes are unchanged. Before the store is ready (start-up), users read as unknown.
 */
@Singleton
public class SignalsView {
    private static final int MAX_CACHED = 100_000;

    private record Parsed(byte[] raw, UserState state) {}

    private final InteractiveQueryService queries;
    private final SignalRules rules;
    private final ConcurrentHashMap<String, Parsed> cache = new ConcurrentHashMap<>();
    private volatile ReadOnlyKeyValueStore<String, byte[]> store;

    public SignalsView(InteractiveQueryService queries, SignalConfig config) {
        this.queries = queries;
        this.rules = new SignalRules(config);
    }

    /** The user's state, following an alias once; empty when unknown. */
    public Optional<UserState> state(String userKey) {
        UserState s = read(userKey);
        if (s != null && s.aliasOf != null) s = read(s.aliasOf);
        return Optional.ofNullable(s);
    }

    /** The user an anonymous id identified as, if any. */
    public Optional<String> aliasOf(String anonymousId) {
        UserState s = read(anonymousId);
        return s == null ? Optional.empty() : Optional.ofNullable(s.aliasOf);
    }

    /** The decision facts for {@code userKey} at {@code now}, or null when the user is unknown. */
    public StoredUser stored(String userKey, Instant now) {
        return state(userKey).map(s -> rules.toStored(s, now)).orElse(null);
    }

    private UserState read(String key) {
        ReadOnlyKeyValueStore<String, byte[]> s = store();
        if (s == null || key == null) return null;
        byte[] raw;
        try {
            raw = s.get(key);
        } catch (InvalidStateStoreException e) {
            store = null;
            return null;
        }
        if (raw == null) return null;
        Parsed p = cache.get(key);
        if (p != null && Arrays.equals(p.raw, raw)) return p.state;
        UserState state = UserStateSerde.read(raw);
        if (cache.size() >= MAX_CACHED) cache.clear();
        cache.put(key, new Parsed(raw, state));
        return state;
    }

    private ReadOnlyKeyValueStore<String, byte[]> store() {
        ReadOnlyKeyValueStore<String, byte[]> s = store;
        if (s == null) {
            try {
                s = queries.getQueryableStore(SignalTopology.VIEW_STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()).orElse(null);
            } catch (InvalidStateStoreException e) {
                s = null;
            }
            store = s;
        }
        return s;
    }
}
