package dev.kairos.server.signals;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;

/**
 * Folds each event into its user's state and publishes the new state. An {@code eventId} seen
 * within {@link #DEDUPE_WINDOW} is skipped, so SDK retries and replays after a crash count once
 * (a point lookup in a RocksDB key-value store; ids older than the window are purged every
 * {@link #PURGE_EVERY}).
 * An event that carries both a {@code userId} and an {@code anonymousId} it has not seen before
 * merges the anonymous profile (read from the global signals view) into the user's and publishes
 * an alias record for the anonymous id. An event still keyed by an anonymous id that has
 * identified goes back to the events topic under the user's key (the ingest already keys new
 * events that way; this catches the ones in flight).
 */
final class SignalProcessor implements Processor<String, byte[], String, byte[]> {
    static final Duration DEDUPE_WINDOW = Duration.ofHours(24);
    static final Duration PURGE_EVERY = Duration.ofMinutes(10);
    /** Marks an event forwarded back to the events topic under the user it belongs to. */
    static final String REROUTE_HEADER = "kairos-reroute";
    private static final Logger LOG = LoggerFactory.getLogger(SignalProcessor.class);

    private final SignalRules rules;
    private final io.micrometer.core.instrument.Counter processed;
    private final io.micrometer.core.instrument.Counter duplicates;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, UserState> states;
    private KeyValueStore<String, Long> seen;
    private KeyValueStore<String, Object> view;

    SignalProcessor(SignalRules rules, io.micrometer.core.instrument.MeterRegistry meters) {
        this.rules = rules;
        this.processed = io.micrometer.core.instrument.Counter.builder("kairos.signals.events")
                .description("Events folded into user state by the signal engine").register(meters);
        this.duplicates = io.micrometer.core.instrument.Counter.builder("kairos.signals.duplicates")
                .description("Events skipped by the signal engine as already counted").register(meters);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.states = context.getStateStore(SignalTopology.STATE_STORE);
        this.seen = context.getStateStore(SignalTopology.SEEN_STORE);
        this.view = context.getStateStore(SignalTopology.VIEW_STORE);
        context.schedule(PURGE_EVERY, org.apache.kafka.streams.processor.PunctuationType.WALL_CLOCK_TIME, this::purgeSeen);
    }

    /** Forgets event ids older than the de-duplication window (a scan of this task's ids, every few minutes). */
    void purgeSeen(long now) {
        long cutoff = now - DEDUPE_WINDOW.toMillis();
        java.util.List<String> old = new java.util.ArrayList<>();
        try (org.apache.kafka.streams.state.KeyValueIterator<String, Long> it = seen.all()) {
            while (it.hasNext()) {
                org.apache.kafka.streams.KeyValue<String, Long> kv = it.next();
                if (kv.value == null || kv.value < cutoff) old.add(kv.key);
            }
        }
        for (String id : old) seen.delete(id);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null || record.value() == null) return;
        // A re-routed event arrives with the marker; what it produces goes to the signals topic.
        record.headers().remove(REROUTE_HEADER);
        JsonNode event;
        try {
            event = UserStateSerde.JSON.readTree(record.value());
        } catch (IOException e) {
            LOG.warn("skipping an unreadable event for a user: {}", e.getMessage());
            return;
        }
        long now = context.currentSystemTimeMs();
        String userId = event.path("userId").asText(null);
        String anonymousId = event.path("anonymousId").asText(null);
        UserState aliasTarget = userId == null ? readAlias(record.key()) : null;
        if (aliasTarget != null) {
            // This anonymous id identified as a user: the event belongs to that user's profile.
            // Send it back through the events topic under the user's key; the user's partition
            // de-duplicates it by id like any other event (it is not marked seen here: both keys
            // may live in the same partition).
            context.forward(record.withKey(aliasTarget.aliasOf).withHeaders(
                    record.headers().add(REROUTE_HEADER, new byte[] {1})));
            return;
        }
        String eventId = event.path("eventId").asText(null);
        if (eventId != null) {
            Long seenAt = seen.get(eventId);
            if (seenAt != null && seenAt >= now - DEDUPE_WINDOW.toMillis()) {
                duplicates.increment();
                return;
            }
            seen.put(eventId, now);
        }
        UserState state = states.get(record.key());
        if (state == null) {
            state = new UserState();
            state.userKey = record.key();
        }
        if (userId != null && anonymousId != null && !anonymousId.equals(userId) && record.key().equals(userId)
                && !state.aliases.contains(anonymousId)) {
            UserState anonymous = readView(anonymousId);
            if (anonymous != null && anonymous.aliasOf == null) rules.merge(state, anonymous);
            state.aliases.add(anonymousId);
            context.forward(record.withKey(anonymousId).withValue(UserStateSerde.writeAlias(anonymousId, userId)));
        }
        rules.apply(state, event, event.path("receivedAt").asLong(now));
        processed.increment();
        states.put(record.key(), state);
        context.forward(record.withValue(UserStateSerde.write(state)));
    }

    /** The alias record of {@code key} in the view, if it is one (alias records are written small by
     * {@link UserStateSerde#writeAlias}; full profiles are not parsed). */
    private UserState readAlias(String key) {
        Object v = view.get(key);
        if (v instanceof ValueAndTimestamp<?> vt) v = vt.value();
        if (!(v instanceof byte[] b) || b.length > 1024) return null;
        UserState s = UserStateSerde.read(b);
        return s.aliasOf != null ? s : null;
    }

    private UserState readView(String key) {
        Object v = view.get(key);
        if (v instanceof ValueAndTimestamp<?> vt) v = vt.value();
        return v instanceof byte[] b ? UserStateSerde.read(b) : null;
    }
}
