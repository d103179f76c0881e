package dev.kairos.server.signals;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;

/**
 * Folds each event into its user's state and publishes the new state. An {@code eventId} seen
 * within {@link #DEDUPE_WINDOW} is skipped, so SDK retries and replays after a crash count once.
 * An event that carries both a {@code userId} and an {@code anonymousId} it has not seen before
 * merges the anonymous profile (read from the global signals view) into the user's and publishes
 * an alias record for the anonymous id.
 */
final class SignalProcessor implements Processor<String, byte[], String, byte[]> {
    static final Duration DEDUPE_WINDOW = Duration.ofHours(24);
    private static final Logger LOG = LoggerFactory.getLogger(SignalProcessor.class);

    private final SignalRules rules;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, UserState> states;
    private WindowStore<String, Long> seen;
    private KeyValueStore<String, Object> view;

    SignalProcessor(SignalRules rules) {
        this.rules = rules;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.states = context.getStateStore(SignalTopology.STATE_STORE);
        this.seen = context.getStateStore(SignalTopology.SEEN_STORE);
        this.view = context.getStateStore(SignalTopology.VIEW_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null || record.value() == null) return;
        JsonNode event;
        try {
            event = UserStateSerde.JSON.readTree(record.value());
        } catch (IOException e) {
            LOG.warn("skipping an unreadable event for a user: {}", e.getMessage());
            return;
        }
        long now = context.currentSystemTimeMs();
        String eventId = event.path("eventId").asText(null);
        if (eventId != null) {
            try (WindowStoreIterator<Long> it = seen.fetch(eventId, now - DEDUPE_WINDOW.toMillis(), now)) {
                if (it.hasNext()) return;
            }
            seen.put(eventId, now, now);
        }
        UserState state = states.get(record.key());
        if (state == null) {
            state = new UserState();
            state.userKey = record.key();
        }
        String userId = event.path("userId").asText(null);
        String anonymousId = event.path("anonymousId").asText(null);
        if (userId != null && anonymousId != null && !anonymousId.equals(userId) && record.key().equals(userId)
                && !state.aliases.contains(anonymousId)) {
            UserState anonymous = readView(anonymousId);
            if (anonymous != null && anonymous.aliasOf == null) rules.merge(state, anonymous);
            state.aliases.add(anonymousId);
            UserState alias = new UserState();
            alias.userKey = anonymousId;
            alias.aliasOf = userId;
            context.forward(record.withKey(anonymousId).withValue(UserStateSerde.write(alias)));
        }
        rules.apply(state, event, event.path("receivedAt").asLong(now));
        states.put(record.key(), state);
        context.forward(record.withValue(UserStateSerde.write(state)));
    }

    private UserState readView(String key) {
        Object v = view.get(key);
        if (v instanceof ValueAndTimestamp<?> vt) v = vt.value();
        return v instanceof byte[] b ? UserStateSerde.read(b) : null;
    }
}
