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
import java.util.Map;

/**
 * Folds each event into its user's state and publishes the new state. An {@code eventId} seen
 * within {@link #DEDUPE_WINDOW} is skipped, so SDK retries and replays after a crash count once
 * (a point lookup in a RocksDB key-value store; ids older than the window are purged a slice at a
 * time, within {@link SeenPurge#PASS} after it: {@link SeenPurge}). Under exactly-once processing
 * ({@code kairos.signals.exactly-once}) the ids are not kept: a crash replays nothing that was
 * committed, and ingest's recent ids catch the retries it can; the purge still runs, for ids left
 * from a run without it.
 *
 * <p>Crash replays, at least once. After a crash the engine processes again what it did since its
 * last commit, and of what that work wrote, some records may have reached Kafka and others not: the
 * id's and not the state's, or the other way round. So each state keeps the offset of the last
 * record applied to it ({@link UserState#eventsOffset}, {@link UserState#outcomesOffset}), in the
 * same record as what it changed, and the id store keeps where each id was seen ({@link SeenValue}):
 * a record at or below its state's offset is in the state already (its id is recorded again if that
 * write was lost); a record whose id was seen at its own position is one whose state write was lost,
 * and is applied; an id seen at another position is a retry, skipped.
 *
 * <p>Identification is a short exchange over the events topic, so each step runs on the partition
 * that owns the state it changes (the two ids may live on different instances):
 * <ol>
 * <li>an event with a {@code userId} and an {@code anonymousId} the user has not merged yet adds the
 *     alias and sends a {@code merge-request} (key: the anonymous id, value: the user id);</li>
 * <li>the anonymous id's partition answers with a {@code merge-state} (key: the user id, value: the
 *     anonymous profile), replaces the profile by an alias record ({@code aliasOf}) and publishes it;</li>
 * <li>the user's partition merges the anonymous profile into the user's.</li>
 * </ol>
 * An event still keyed by an anonymous id that has identified goes back to the events topic under
 * the user's key (the ingest already keys new events that way where it can; this catches the rest).
 * Control records carry the {@link #CONTROL_HEADER}; everything sent back to the events topic
 * carries the {@link #REROUTE_HEADER}, which the topology's sink routes by.
 *
 * <p>Erasure ({@code DELETE /v1/users/{userKey}}) is a control record too: the user's partition
 * deletes the state (a tombstone in the changelog), publishes a tombstone to the signals topic,
 * sends an {@code erase-alias} to the partition of every anonymous id merged into the user (which
 * does the same for the alias record), and reports the erased keys on the erasures topic. Erasing
 * an anonymous id that identified deletes its alias record and sends an {@code unlink} to its
 * user's partition, which drops the id from the user's aliases
 * ({@link #ERASURE_HEADER}) for the feedback service to delete the user's rows.
 */
final class SignalProcessor implements Processor<String, byte[], String, byte[]> {
    static final Duration DEDUPE_WINDOW = Duration.ofHours(24);
    /** Marks a record the sink sends back to the events topic rather than to the signals topic. */
    static final String REROUTE_HEADER = "kairos-reroute";
    /** Marks a control record of the identification exchange; the value says which. */
    static final String CONTROL_HEADER = "kairos-control";
    static final String MERGE_REQUEST = "merge-request";
    static final String MERGE_STATE = "merge-state";
    static final String ERASE = "erase";
    static final String ERASE_ALIAS = "erase-alias";
    static final String UNLINK = "unlink";
    /** Marks a record the sink sends to the erasures topic. */
    static final String ERASURE_HEADER = "kairos-erasure";
    /**
     * A key of the seen-events store (no event id looks like it: those are UUIDs or {@code o:…}) saying
     * whether this task's states are on the signals topic: 1 in global mode, 0 in partitioned mode,
     * which does not publish them. Absent means published (every version before partitioned mode
     * stopped publishing did). A task in global mode that finds 0 publishes all its states once.
     */
    static final String PUBLISHED_MARKER = "kairos:states-published";
    private static final Logger LOG = LoggerFactory.getLogger(SignalProcessor.class);

    private final SignalRules rules;
    private final io.micrometer.core.instrument.Counter processed;
    private final io.micrometer.core.instrument.Counter duplicates;
    private final io.micrometer.core.instrument.Counter merges;
    private final io.micrometer.core.instrument.Counter erasures;
    /** From ingest accepting an event ({@code receivedAt}) to its fold here: how far behind the engine runs. */
    private final io.micrometer.core.instrument.Timer delay;
    /** Global mode: each new state also goes to the signals topic, which every instance's global view reads. */
    private final boolean globalView;
    /** Whether event ids are kept and looked up (false under exactly-once processing). */
    private final boolean eventIds;
    /** The outcomes topic, to tell a record's position in it from one in the events topic. */
    private final String outcomesTopic;
    private ProcessorContext<String, byte[]> context;
    /** Each user's state as record bytes ({@link UserStateSerde}): read once, written once per event. */
    private KeyValueStore<String, byte[]> states;
    private KeyValueStore<String, byte[]> seen;
    private KeyValueStore<String, Object> view;
    private final SeenPurge purge = new SeenPurge(DEDUPE_WINDOW, PUBLISHED_MARKER);

    /**
     * @param globalView whether the topology has the global signals view (global mode), consulted for aliases written before 1.x
     * @param eventIds whether to skip events whose id was seen in the last 24 h (at-least-once processing; not under exactly-once)
     * @param outcomesTopic the name of the outcomes topic (records come from it and from the events topic)
     */
    SignalProcessor(SignalRules rules, io.micrometer.core.instrument.MeterRegistry meters, boolean globalView, boolean eventIds, String outcomesTopic) {
        this.rules = rules;
        this.globalView = globalView;
        this.eventIds = eventIds;
        this.outcomesTopic = outcomesTopic;
        this.processed = io.micrometer.core.instrument.Counter.builder("kairos.signals.events")
                .description("Events folded into user state by the signal engine").register(meters);
        this.duplicates = io.micrometer.core.instrument.Counter.builder("kairos.signals.duplicates")
                .description("Events skipped by the signal engine as already counted").register(meters);
        this.merges = io.micrometer.core.instrument.Counter.builder("kairos.signals.merges")
                .description("Anonymous profiles merged into an identified user's").register(meters);
        this.erasures = io.micrometer.core.instrument.Counter.builder("kairos.signals.erasures")
                .description("Users erased on request").register(meters);
        this.delay = io.micrometer.core.instrument.Timer.builder("kairos.signals.delay")
                .description("From ingest accepting an event to the signal engine folding it into the user's state")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(1))
                .register(meters);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.states = context.getStateStore(SignalTopology.STATE_STORE);
        this.seen = context.getStateStore(SignalTopology.SEEN_STORE);
        this.view = globalView ? context.getStateStore(SignalTopology.VIEW_STORE) : null;
        context.schedule(SeenPurge.TICK, org.apache.kafka.streams.processor.PunctuationType.WALL_CLOCK_TIME, now -> purge.tick(seen, now));
        long published = SeenValue.at(seen.get(PUBLISHED_MARKER));
        if (!globalView) {
            if (published != 0L) seen.put(PUBLISHED_MARKER, SeenValue.of(0L));
        } else if (published == 0L) {
            // Switched from partitioned mode: the signals topic lacks what this task folded since. Nothing can be
            // sent from init, so the first punctuation does it, before the task's next event.
            org.apache.kafka.streams.processor.Cancellable[] once = new org.apache.kafka.streams.processor.Cancellable[1];
            once[0] = context.schedule(Duration.ofMillis(1), org.apache.kafka.streams.processor.PunctuationType.WALL_CLOCK_TIME, now -> {
                once[0].cancel();
                republish();
            });
        }
    }

    /** Publishes every state of this task to the signals topic (after a switch from partitioned to global mode). */
    void republish() {
        long count = 0;
        long now = context.currentSystemTimeMs();
        try (org.apache.kafka.streams.state.KeyValueIterator<String, byte[]> it = states.all()) {
            while (it.hasNext()) {
                org.apache.kafka.streams.KeyValue<String, byte[]> kv = it.next();
                if (kv.value == null) continue;
                context.forward(new Record<>(kv.key, kv.value, now));
                count++;
            }
        }
        seen.put(PUBLISHED_MARKER, SeenValue.of(1L));
        LOG.info("global mode after partitioned mode: published the {} states of task {} to the signals topic", count, context.taskId());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null || record.value() == null) return;
        // A re-routed record arrives with the marker; what it produces goes to the signals topic.
        record.headers().remove(REROUTE_HEADER);
        org.apache.kafka.common.header.Header control = record.headers().lastHeader(CONTROL_HEADER);
        if (control != null) {
            String kind = new String(control.value(), java.nio.charset.StandardCharsets.UTF_8);
            if (MERGE_REQUEST.equals(kind)) mergeRequested(record);
            else if (MERGE_STATE.equals(kind)) mergeState(record);
            else if (ERASE.equals(kind)) erase(record);
            else if (ERASE_ALIAS.equals(kind)) eraseAlias(record);
            else if (UNLINK.equals(kind)) unlink(record);
            else LOG.warn("skipping a control record of unknown kind '{}'", kind);
            return;
        }
        JsonNode event;
        try {
            event = EventReader.read(record.value());
        } catch (IOException e) {
            LOG.warn("skipping an unreadable event for a user: {}", e.getMessage());
            return;
        }
        long now = context.currentSystemTimeMs();
        String userId = event.path("userId").asText(null);
        String anonymousId = event.path("anonymousId").asText(null);
        UserState state = UserStateSerde.read(states.get(record.key()));
        String aliasOf = userId == null ? aliasOf(record.key(), state) : null;
        if (aliasOf != null) {
            // This anonymous id identified as a user: the event belongs to that user's profile.
            // Send it back through the events topic under the user's key; the user's partition
            // de-duplicates it by id like any other event (it is not marked seen here: both keys
            // may live in the same partition).
            context.forward(record.withKey(aliasOf).withHeaders(
                    record.headers().add(REROUTE_HEADER, new byte[] {1})));
            return;
        }
        String eventId = !eventIds ? null : event.hasNonNull("eventId") ? event.path("eventId").asText(null)
                : SignalRules.isOutcome(event) ? "o:" + event.path("outcomeId").asText(event.path("decisionId").asText() + "/"
                        + event.path("placement").asText() + "/" + event.path("type").asText()) : null;
        long position = position();
        if (applied(state, position)) {
            // Applied before a crash, and processed again since it was not committed: its id is recorded again, in
            // case that write was the one the crash lost.
            if (eventId != null && seen.get(eventId) == null) seen.put(eventId, SeenValue.of(now, position));
            duplicates.increment();
            return;
        }
        if (eventId != null) {
            byte[] seenAt = seen.get(eventId);
            if (seenAt == null || SeenValue.at(seenAt) < now - DEDUPE_WINDOW.toMillis()) {
                seen.put(eventId, SeenValue.of(now, position));
            } else if (SeenValue.position(seenAt) != position) {
                duplicates.increment(); // the same event sent again
                return;
            }
            // else: this record, seen before a crash that lost its state write; applied now.
        }
        if (state == null) {
            state = new UserState();
            state.userKey = record.key();
        }
        if (userId != null && anonymousId != null && !anonymousId.equals(userId) && record.key().equals(userId)
                && !state.aliases.contains(anonymousId)) {
            state.aliases.add(anonymousId);
            context.forward(control(record, anonymousId, MERGE_REQUEST, userId.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        long receivedAt = event.path("receivedAt").asLong(now);
        if (SignalRules.isOutcome(event)) rules.applyOutcome(state, event, receivedAt);
        else rules.apply(state, event, receivedAt);
        processed.increment();
        // Wall-clock now, not the task's cached time: an operator's measure of lag, and the benchmark's.
        long behind = System.currentTimeMillis() - receivedAt;
        if (behind >= 0) delay.record(behind, java.util.concurrent.TimeUnit.MILLISECONDS);
        applying(state, position);
        byte[] bytes = UserStateSerde.write(state);
        states.put(record.key(), bytes);
        publish(record.withValue(bytes));
    }

    /**
     * Sends a new state to the signals topic in global mode, where every instance's view reads it. In
     * partitioned mode nothing reads that topic (decide asks the state's owner), so the engine writes
     * two records per event instead of three: the store's changelog and the seen-events changelog.
     * Tombstones of erased users go to the topic in both modes (it may hold states of an earlier global run).
     */
    private void publish(Record<String, byte[]> state) {
        if (globalView) context.forward(state);
    }

    /** Step 2: hand this anonymous id's profile to the user it identified as, and leave an alias behind. */
    private void mergeRequested(Record<String, byte[]> record) {
        String anonymousId = record.key();
        String userId = new String(record.value(), java.nio.charset.StandardCharsets.UTF_8);
        UserState anonymous = UserStateSerde.read(states.get(anonymousId));
        if (anonymous != null && anonymous.aliasOf != null) return; // merged into someone already: the first identification wins
        if (anonymous != null) context.forward(control(record, userId, MERGE_STATE, UserStateSerde.write(anonymous)));
        byte[] alias = UserStateSerde.writeAlias(anonymousId, userId);
        states.put(anonymousId, alias);
        publish(new Record<>(anonymousId, alias, record.timestamp()));
    }

    /** Step 3: merge the anonymous profile into the user's. */
    private void mergeState(Record<String, byte[]> record) {
        UserState anonymous = UserStateSerde.read(record.value());
        UserState state = UserStateSerde.read(states.get(record.key()));
        long position = position();
        if (applied(state, position)) return; // merged before a crash: not twice
        if (state == null) {
            state = new UserState();
            state.userKey = record.key();
        }
        rules.merge(state, anonymous);
        merges.increment();
        applying(state, position);
        byte[] bytes = UserStateSerde.write(state);
        states.put(record.key(), bytes);
        publish(new Record<>(record.key(), bytes, record.timestamp()));
    }

    /**
     * Erases {@code record.key()}: its state and every anonymous id merged into it, or, for an
     * anonymous id that identified, just its alias record. The value is the request id.
     */
    private void erase(Record<String, byte[]> record) {
        String key = record.key();
        String requestId = new String(record.value(), java.nio.charset.StandardCharsets.UTF_8);
        UserState state = UserStateSerde.read(states.get(key));
        java.util.List<String> keys = new java.util.ArrayList<>();
        keys.add(key);
        if (state != null && state.aliasOf == null) {
            for (String alias : state.aliases) {
                keys.add(alias);
                context.forward(control(record, alias, ERASE_ALIAS, record.value()));
            }
        } else if (state != null) {
            // An anonymous id that identified: its user's profile keeps the history merged from it,
            // but no longer names it.
            context.forward(control(record, state.aliasOf, UNLINK, key.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        delete(key, record.timestamp());
        erasures.increment();
        Map<String, Object> notice = new java.util.LinkedHashMap<>();
        notice.put("requestId", requestId);
        notice.put("keys", keys);
        notice.put("erasedAt", context.currentSystemTimeMs());
        org.apache.kafka.common.header.internals.RecordHeaders headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add(ERASURE_HEADER, new byte[] {1});
        try {
            context.forward(new Record<>(requestId, UserStateSerde.JSON.writeValueAsBytes(notice), record.timestamp(), headers));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        LOG.info("erased a user and {} merged anonymous ids (request {})", keys.size() - 1, requestId);
    }

    /** Removes an erased anonymous id from the aliases of the user it had identified as. */
    private void unlink(Record<String, byte[]> record) {
        String alias = new String(record.value(), java.nio.charset.StandardCharsets.UTF_8);
        UserState state = UserStateSerde.read(states.get(record.key()));
        if (state == null || !state.aliases.remove(alias)) return;
        applying(state, position());
        byte[] bytes = UserStateSerde.write(state);
        states.put(record.key(), bytes);
        publish(new Record<>(record.key(), bytes, record.timestamp()));
    }

    /** Erases the alias record of an anonymous id whose user was erased. */
    private void eraseAlias(Record<String, byte[]> record) {
        delete(record.key(), record.timestamp());
    }

    private void delete(String key, long timestamp) {
        states.delete(key);
        // A tombstone: compaction drops the user's earlier records from the signals topic, and a
        // global view deletes its copy.
        context.forward(new Record<>(key, null, timestamp));
    }

    /**
     * Where the record being processed is: its offset shifted left by one, plus 1 if it came from the outcomes
     * topic (so positions in the two topics differ); -1 if Kafka Streams does not say (not from a source topic).
     */
    private long position() {
        java.util.Optional<org.apache.kafka.streams.processor.api.RecordMetadata> m = context.recordMetadata();
        if (m.isEmpty() || m.get().offset() < 0) return -1;
        return m.get().offset() << 1 | (outcomesTopic.equals(m.get().topic()) ? 1 : 0);
    }

    /** Whether {@code state} has the record at {@code position} in it already: one applied before a crash, seen again. */
    static boolean applied(UserState state, long position) {
        if (state == null || position < 0) return false;
        return (position >>> 1) <= ((position & 1) == 0 ? state.eventsOffset : state.outcomesOffset);
    }

    /** Marks the record at {@code position} as applied to {@code state} (written with the state, in the same record). */
    static void applying(UserState state, long position) {
        if (position < 0) return;
        if ((position & 1) == 0) state.eventsOffset = position >>> 1;
        else state.outcomesOffset = position >>> 1;
    }

    private static Record<String, byte[]> control(Record<String, byte[]> cause, String key, String kind, byte[] value) {
        org.apache.kafka.common.header.internals.RecordHeaders headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add(CONTROL_HEADER, kind.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        headers.add(REROUTE_HEADER, new byte[] {1});
        return new Record<>(key, value, cause.timestamp(), headers);
    }

    /** The user {@code key} identified as, if it is an anonymous id that did: from its own state, or
     * (global mode) an alias record in the view written before aliases were kept in the state. */
    private String aliasOf(String key, UserState own) {
        if (own != null && own.aliasOf != null) return own.aliasOf;
        if (view == null) return null;
        Object v = view.get(key);
        if (v instanceof ValueAndTimestamp<?> vt) v = vt.value();
        if (!(v instanceof byte[] b) || b.length == 0 || b[0] == UserStateSerde.V1 || b.length > 1024) return null;
        return UserStateSerde.read(b).aliasOf;
    }
}
