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

    /**
     * Writes the context of an event in session {@code sessionId} to {@code g}: the static context
     * as it is (no per-event copy) when the provider has nothing for this event, else merged.
     */
    void write(com.fasterxml.jackson.core.JsonGenerator g, String sessionId, long sessionStart) throws java.io.IOException {
        Map<String, ?> event;
        try {
            event = provider.eventContext();
        } catch (RuntimeException e) {
            logger.log(KairosLogger.Level.WARN, "the context provider failed (event context)", e);
            event = null;
        }
        Map<String, Object> base = staticContext();
        if (event != null && !event.isEmpty()) {
            Map<String, Object> merged = new LinkedHashMap<>(base);
            Values.mergeInto(merged, event);
            base = merged;
        }
        g.writeStartObject();
        for (Map.Entry<String, Object> e : base.entrySet()) {
            if (sessionId != null && e.getKey().equals("session")) continue;
            g.writeFieldName(e.getKey());
            Values.write(g, e.getValue());
        }
        if (sessionId != null) {
            g.writeObjectFieldStart("session");
            g.writeStringField("id", sessionId);
            g.writeStringField("startedAt", startedAt(sessionStart));
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private long lastStart = Long.MIN_VALUE;
    private String lastStartText;

    private synchronized String startedAt(long start) {
        if (start != lastStart) {
            lastStart = start;
            lastStartText = Instant.ofEpochMilli(start).toString();
        }
        return lastStartText;
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
