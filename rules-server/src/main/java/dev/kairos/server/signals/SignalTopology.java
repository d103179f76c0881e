package dev.kairos.server.signals;

import dev.kairos.server.kafka.Topics;
import io.micronaut.configuration.kafka.streams.ConfiguredStreamBuilder;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;


/**
 * The signal engine's topology, on Kafka Streams:
 * <pre>kairos.events (key: user) → SignalProcessor [user-state, seen-events] → kairos.signals (compacted; global mode)
 *                                      ├→ kairos.events (re-keyed events, identification and erasure control records)
 *                                      └→ kairos.erasures (erased keys, for the feedback service)
 *kairos.signals → global table "signals-view" (global mode only: every instance has all users)</pre>
 * State stores are RocksDB, backed by changelog topics, so state survives restarts and moves with
 * partitions when instances are added. In partitioned mode ({@code kairos.signals.mode}) decide reads
 * the partitioned {@code user-state} store through interactive queries instead of the global view:
 * this instance advertises its HTTP address as {@code application.server} and keeps standby
 * replicas of other instances' partitions ({@link SignalsView}). Micronaut starts and closes the
 * {@code KafkaStreams}.
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
        boolean global = !config.partitioned();
        // Partitioned mode needs this instance's address; global mode advertises it when it has one,
        // so GET /v1/users/{key}/signals can say which instance owns a user.
        org.apache.kafka.streams.state.HostInfo self = global ? SignalsView.advertisedOrNull(config) : SignalsView.advertised(config);
        if (self != null) builder.getConfiguration().put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        if (!global) builder.getConfiguration().putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
        // The store keeps the record bytes (UserStateSerde's format): the processor serializes a state once
        // per event and hands the same bytes to the store, its changelog and the signals topic.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(), Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SEEN_STORE), Serdes.String(), Serdes.Long()));
        if (global) {
            builder.globalTable(topics.config().signals(), Consumed.with(Serdes.String(), Serdes.ByteArray()),
                    Materialized.<String, byte[], KeyValueStore<Bytes, byte[]>>as(VIEW_STORE)
                            .withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray()).withCachingDisabled());
        }
        // Events and outcomes (both keyed by user, same partitions) feed one processor: outcomes become the user's exposures.
        KStream<String, byte[]> events = builder.stream(java.util.List.of(topics.config().events(), topics.config().outcomes()),
                Consumed.with(Serdes.String(), Serdes.ByteArray()));
        KStream<String, byte[]> out = events.process(() -> new SignalProcessor(rules, meters, global), STATE_STORE, SEEN_STORE);
        out.to((key, value, context) ->
                        context.headers().lastHeader(SignalProcessor.REROUTE_HEADER) != null ? topics.config().events()
                                : context.headers().lastHeader(SignalProcessor.ERASURE_HEADER) != null ? topics.config().erasures()
                                : topics.config().signals(),
                Produced.with(Serdes.String(), Serdes.ByteArray()));
        return out;
    }
}
