package dev.kairos.sdk.internal;

import dev.kairos.sdk.ContextProvider;
import dev.kairos.sdk.KairosLogger;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the {@code context} object of events and decisions: what the SDK knows (time zone,
 * locale, library, OS), then the provider's static context (read once), then its per-call context.
 * Never called on the app's calling thread for events; thread-safe.
 */
public final class ContextBuilder {
    private final Map<String, Object> library;
    private final ContextProvider provider;
    private final KairosLogger logger;
    private volatile Map<String, Object> staticContext;

    public ContextBuilder(Map<String, Object> library, ContextProvider provider, KairosLogger logger) {
        this.library = library;
        this.provider = provider;
        this.logger = logger;
    }

    /** The context for an item in session {@code sessionId} (may be {@code null}), plus {@code extra} from the call, which wins. */
    public Map<String, Object> build(String sessionId, long sessionStart, Map<String, ?> extra) {
        Map<String, Object> c = new LinkedHashMap<>(staticContext());
        try {
            Values.mergeInto(c, provider.eventContext());
        } catch (RuntimeException e) {
            logger.log(KairosLogger.Level.WARN, "the context provider failed (event context)", e);
        }
        if (sessionId != null) {
            Map<String, Object> session = new LinkedHashMap<>();
            session.put("id", sessionId);
            session.put("startedAt", Instant.ofEpochMilli(sessionStart).toString());
            c.put("session", session);
        }
        if (extra != null) Values.mergeInto(c, extra);
        return c;
    }

    private Map<String, Object> staticContext() {
        Map<String, Object> s = staticContext;
        if (s == null) {
            synchronized (this) {
                s = staticContext;
                if (s == null) {
                    s = new LinkedHashMap<>(library);
                    try {
                        Values.mergeInto(s, provider.staticContext());
                    } catch (RuntimeException e) {
                        logger.log(KairosLogger.Level.WARN, "the context provider failed (static context)", e);
                    }
                    staticContext = s;
                }
            }
        }
        return s;
    }
}
