package dev.kairos.server.signals;

import dev.kairos.server.kafka.Topics;
import io.micronaut.configuration.kafka.streams.ConfiguredStreamBuilder;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;


/**
 * The signal engine's topology, on Kafka Streams:
 * <pre>kairos.events (key: user) → SignalProcessor [user-state, seen-events] → kairos.signals (compacted)
 *                                      └→ kairos.events (events of an identified anonymous id, re-keyed)
 *kairos.signals → global table "signals-view" (every instance has all users, for /v1/decide)</pre>
 * State stores are RocksDB, backed by changelog topics, so state survives restarts and moves with
 * partitions when instances are added. Micronaut starts and closes the {@code KafkaStreams}.
 */
@Factory
public class SignalTopology {
    static final String STATE_STORE = "user-state";
    static final String SEEN_STORE = "seen-events";
    static final String VIEW_STORE = "signals-view";

    @Singleton
    @Named("kairos-signals")
    KStream<String, byte[]> signals(ConfiguredStreamBuilder builder, Topics topics, SignalConfig config,
                                    io.micrometer.core.instrument.MeterRegistry meters) {
        SignalRules rules = new SignalRules(config);
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(), new UserStateSerde()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SEEN_STORE), Serdes.String(), Serdes.Long()));
        builder.globalTable(topics.config().signals(), Consumed.with(Serdes.String(), Serdes.ByteArray()),
                Materialized.<String, byte[], KeyValueStore<Bytes, byte[]>>as(VIEW_STORE)
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray()));
        KStream<String, byte[]> events = builder.stream(topics.config().events(), Consumed.with(Serdes.String(), Serdes.ByteArray()));
        KStream<String, byte[]> out = events.process(() -> new SignalProcessor(rules, meters), STATE_STORE, SEEN_STORE);
        out.to((key, value, context) ->
                        context.headers().lastHeader(SignalProcessor.REROUTE_HEADER) != null ? topics.config().events() : topics.config().signals(),
                Produced.with(Serdes.String(), Serdes.ByteArray()));
        return out;
    }
}
