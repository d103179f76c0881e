package dev.kairos.server.signals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the engine does with a record it processes again after a crash, when of that record's two
 * writes (its id to {@code seen-events}, the user's new state to {@code user-state}) only one reached
 * Kafka: each case ends with the event counted once. A crash is played by undoing one store's write
 * and processing the same record, at the same offset, again; a retry is the same event at another
 * offset. (The whole engine killed with kill -9 mid-fold: e2e's SignalEngineCrashTest.)
 */
class SignalProcessorReplayTest {
    static final String EVENTS = "kairos.events";
    static final String OUTCOMES = "kairos.outcomes";
    static final String USER = "replay-user";

    @TempDir
    Path stateDir;
    MockProcessorContext<String, byte[]> context;
    KeyValueStore<String, byte[]> states;
    KeyValueStore<String, byte[]> seen;
    SignalProcessor processor;
    SimpleMeterRegistry meters;

    @BeforeEach
    void start() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "replay-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        context = new MockProcessorContext<>(config, new TaskId(0, 0), stateDir.toFile());
        context.setCurrentSystemTimeMs(System.currentTimeMillis());
        states = store(SignalTopology.STATE_STORE);
        seen = store(SignalTopology.SEEN_STORE);
        meters = new SimpleMeterRegistry();
        processor = new SignalProcessor(new SignalRules(SignalConfig.defaults()), meters, false, true, OUTCOMES);
        processor.init(context);
    }

    private KeyValueStore<String, byte[]> store(String name) {
        KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    /** Processes {@code json} as the record at {@code offset} of {@code topic}. */
    void process(String topic, long offset, String json) {
        context.setRecordMetadata(topic, 0, offset);
        processor.process(new Record<>(USER, json.getBytes(StandardCharsets.UTF_8), 1_000L));
    }

    static String event(String id) {
        return "{\"eventId\": \"" + id + "\", \"type\": \"page_view\", \"userId\": \"" + USER + "\", \"sessionId\": \"s-1\", \"properties\": {\"category\": \"shoes\"}}";
    }

    static String outcome(String decision) {
        return "{\"decisionId\": \"" + decision + "\", \"placement\": \"home_banner\", \"type\": \"click\", \"userId\": \"" + USER + "\", \"rule\": \"R1\"}";
    }

    UserState state() {
        return UserStateSerde.read(states.get(USER));
    }

    double skipped() {
        return meters.counter("kairos.signals.duplicates").count();
    }

    @Test
    void aRecordWhoseStateWriteWasLostIsAppliedAgainThoughItsIdWasKept() {
        String id = UUID.randomUUID().toString();
        process(EVENTS, 10, event(UUID.randomUUID().toString()));
        byte[] before = states.get(USER);
        process(EVENTS, 11, event(id));
        assertThat(state().events).isEqualTo(2);
        states.put(USER, before); // the crash lost the state's write; the id's reached Kafka
        assertThat(seen.get(id)).isNotNull();

        process(EVENTS, 11, event(id));
        assertThat(state().events).as("the event counts: the state had lost it").isEqualTo(2);
        assertThat(state().eventsOffset).isEqualTo(11);
        // The client's retry of the same event (another record, later) is still skipped.
        process(EVENTS, 12, event(id));
        assertThat(state().events).isEqualTo(2);
        assertThat(skipped()).isEqualTo(1);
    }

    @Test
    void aRecordWhoseIdWriteWasLostIsNotAppliedTwiceAndItsIdIsKeptAgain() {
        String id = UUID.randomUUID().toString();
        process(EVENTS, 20, event(id));
        seen.delete(id); // the crash lost the id's write; the state's reached Kafka

        process(EVENTS, 20, event(id));
        assertThat(state().events).as("in the state already").isEqualTo(1);
        assertThat(seen.get(id)).as("recorded again").isNotNull();
        process(EVENTS, 31, event(id)); // and a retry after it is caught by the id
        assertThat(state().events).isEqualTo(1);
        assertThat(skipped()).isEqualTo(2);
    }

    @Test
    void aReplayWithBothWritesKeptAndARetryAreSkipped() {
        String id = UUID.randomUUID().toString();
        process(EVENTS, 5, event(id));
        process(EVENTS, 5, event(id));
        process(EVENTS, 9, event(id));
        assertThat(state().events).isEqualTo(1);
        assertThat(skipped()).isEqualTo(2);
    }

    @Test
    void offsetsOfTheTwoTopicsAreKeptApart() {
        process(EVENTS, 40, event(UUID.randomUUID().toString()));
        // The outcomes topic's offset 7 is not below the events topic's 40: a new record, applied.
        process(OUTCOMES, 7, outcome(UUID.randomUUID().toString()));
        assertThat(state().exposures).hasSize(1);
        assertThat(state().eventsOffset).isEqualTo(40);
        assertThat(state().outcomesOffset).isEqualTo(7);
        // Seen again after a crash, each is in the state already.
        process(OUTCOMES, 7, outcome("other"));
        process(EVENTS, 40, event(UUID.randomUUID().toString()));
        assertThat(state().exposures).hasSize(1);
        assertThat(state().events).isEqualTo(1);
    }

    @Test
    void anIdKeptByAnEarlierVersionWithoutItsPositionCountsAsSeen() {
        String id = UUID.randomUUID().toString();
        process(EVENTS, 1, event(UUID.randomUUID().toString()));
        seen.put(id, SeenValue.of(System.currentTimeMillis())); // Serdes.Long's 8 bytes: when, not where
        process(EVENTS, 2, event(id));
        assertThat(state().events).isEqualTo(1);
    }

    @Test
    void aMergeSeenAgainAfterACrashIsNotMergedTwice() {
        process(EVENTS, 1, event(UUID.randomUUID().toString()));
        UserState anonymous = new UserState();
        anonymous.userKey = "anon-1";
        anonymous.events = 5;
        org.apache.kafka.common.header.internals.RecordHeaders headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add(SignalProcessor.CONTROL_HEADER, SignalProcessor.MERGE_STATE.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 2; i++) {
            context.setRecordMetadata(EVENTS, 0, 3);
            processor.process(new Record<>(USER, UserStateSerde.write(anonymous), 1_000L, headers));
        }
        assertThat(state().events).isEqualTo(6);
    }
}
