package dev.kairos.server.signals;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeenPurgeTest {
    private static final long NOW = 1_800_000_000_000L;
    private static final Duration WINDOW = Duration.ofHours(24);
    private static final String MARKER = SignalProcessor.PUBLISHED_MARKER;

    @TempDir
    Path stateDir;

    /** The engine's store as it runs (RocksDB), or in memory: the purge reads both through the same interface. */
    private KeyValueStore<String, byte[]> store(boolean rocksDb) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "seen-purge-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        MockProcessorContext<String, byte[]> context = new MockProcessorContext<>(config, new TaskId(0, 0), stateDir.toFile());
        KeyValueBytesStoreSupplier supplier = rocksDb ? Stores.persistentKeyValueStore(SignalTopology.SEEN_STORE)
                : Stores.inMemoryKeyValueStore(SignalTopology.SEEN_STORE);
        KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(supplier, Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {true, false})
    void aPassForgetsTheIdsOlderThanTheWindowASliceAtATime(boolean rocksDb) {
        KeyValueStore<String, byte[]> seen = store(rocksDb);
        Set<String> old = new HashSet<>();
        Set<String> fresh = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            String id = UUID.randomUUID().toString();
            // Half seen a minute longer ago than the window, half a minute within it.
            boolean expired = i % 2 == 0;
            long at = NOW - WINDOW.toMillis() + (expired ? -60_000 : 60_000);
            // Values with the record's position, and (every third) of the format before it, the time alone.
            seen.put(id, i % 3 == 0 ? SeenValue.of(at) : SeenValue.of(at, 2L * i));
            (expired ? old : fresh).add(id);
        }
        seen.put(MARKER, SeenValue.of(0L)); // the processor's marker: not an id, whatever its value
        SeenPurge purge = new SeenPurge(WINDOW, MARKER);

        int first = purge.tick(seen, NOW);
        // A tick looks at one slice (MIN_SLICE ids for a store this small), so it deletes some of the old ids, not all.
        assertTrue(first > 0 && first <= SeenPurge.MIN_SLICE, "deleted in the first tick: " + first);
        int deleted = first;
        int ticks = 1;
        while (deleted < old.size() && ticks < 100) {
            deleted += purge.tick(seen, NOW);
            ticks++;
        }
        assertEquals(old.size(), deleted);
        // 1,001 keys at 100 a tick: the pass needs at least 10 ticks, and the ids deleted along it did not stop it.
        assertTrue(ticks >= 10, "ticks: " + ticks);
        for (String id : old) assertNull(seen.get(id), id);
        for (String id : fresh) assertNotNull(seen.get(id), id);
        assertEquals(0L, SeenValue.at(seen.get(MARKER)));
        seen.close();
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {true, false})
    void afterAPassTheNextStartsAgainAtTheFirstId(boolean rocksDb) {
        KeyValueStore<String, byte[]> seen = store(rocksDb);
        for (int i = 0; i < 250; i++) seen.put(String.format("b-%04d", i), SeenValue.of(NOW, i));
        SeenPurge purge = new SeenPurge(WINDOW, MARKER);
        for (int i = 0; i < 3; i++) assertEquals(0, purge.tick(seen, NOW)); // 250 fresh ids: one pass of three ticks
        // An id that sorts before every other one, added after the pass, is read by the next pass; a day later
        // every id is old, and a pass forgets them all.
        seen.put("a-0000", SeenValue.of(NOW, 0));
        long dayLater = NOW + WINDOW.toMillis() + 1;
        int deleted = 0;
        for (int i = 0; i < 3; i++) deleted += purge.tick(seen, dayLater);
        assertEquals(251, deleted);
        assertNull(seen.get("a-0000"));
        try (org.apache.kafka.streams.state.KeyValueIterator<String, byte[]> rest = seen.all()) {
            assertFalse(rest.hasNext());
        }
        seen.close();
    }

    @org.junit.jupiter.api.Test
    void aSliceIsTheStoreOverTheTicksOfAPass() {
        long ticks = SeenPurge.PASS.toMillis() / SeenPurge.TICK.toMillis();
        assertEquals(SeenPurge.MIN_SLICE, SeenPurge.sliceFor(0));
        assertEquals(SeenPurge.MIN_SLICE, SeenPurge.sliceFor(-1)); // an estimate, not a count
        assertEquals(SeenPurge.MIN_SLICE, SeenPurge.sliceFor(ticks * SeenPurge.MIN_SLICE));
        // A day at 1,000 events/s: 86.4 million ids, 2,400 a tick.
        assertEquals(86_400_000 / ticks, SeenPurge.sliceFor(86_400_000));
        assertEquals(86_400_000 / ticks + 1, SeenPurge.sliceFor(86_400_001));
    }
}
