package dev.kairos.server.signals;

import dev.kairos.server.kafka.Topics;
import dev.kairos.server.kafka.TopicsConfig;
import io.micronaut.configuration.kafka.streams.ConfiguredStreamBuilder;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
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
                                    dev.kairos.server.config.KairosConfig kairos, io.micrometer.core.instrument.MeterRegistry meters) {
        SignalRules rules = new SignalRules(config);
        // Checked here, before Kafka Streams starts: a bad value thrown from its global thread's store setup may
        // reach the caller as just "Initialization for the global stream thread failed".
        RocksDbMemory.total(builder.getConfiguration().get(RocksDbMemory.MEMORY_CONFIG));
        boolean global = !config.partitioned();
        // Partitioned mode needs this instance's address; global mode advertises it when it has one,
        // so GET /v1/users/{key}/signals can say which instance owns a user.
        org.apache.kafka.streams.state.HostInfo self = global ? SignalsView.advertisedOrNull(config) : SignalsView.advertised(config);
        if (self != null) builder.getConfiguration().put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        if (!global) builder.getConfiguration().putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
        // Exactly-once (partitioned mode, opt-in): the state, the changelogs, the output and the input offsets commit
        // together, so a crash replays nothing already counted, and the processor needs no store of event ids.
        boolean exactlyOnce = config.exactlyOnce();
        if (exactlyOnce) {
            builder.getConfiguration().put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            // Streams sets it itself under exactly-once, and warns at every start about a value set by the user.
            builder.getConfiguration().remove(StreamsConfig.producerPrefix(org.apache.kafka.clients.producer.ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        }
        KStream<String, byte[]> out = define(builder, topics.config(), global, () -> new SignalProcessor(rules, meters, global, !exactlyOnce, topics.config().outcomes()));
        // A static member of the group: a restarted instance gets its partitions back at once instead of after the
        // old member's session timeout (Streams members do not leave the group on close, and kill -9 cannot). The
        // coordinator hands a static member that returns its last assignment without a rebalance, which is only
        // right for the same topology: the id names it (a mode switch or an upgrade that changes it is a new member).
        builder.getConfiguration().putIfAbsent(StreamsConfig.mainConsumerPrefix(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                instanceId(kairos.dataDir()) + "-" + fingerprint(topics.config(), global, builder.getConfiguration()));
        return out;
    }

    /** Adds the engine to {@code builder}: stores, the global view (global mode), the processor and its sink. */
    private static KStream<String, byte[]> define(StreamsBuilder builder, TopicsConfig topics, boolean global,
                                                  org.apache.kafka.streams.processor.api.ProcessorSupplier<String, byte[], String, byte[]> processor) {
        // The store keeps the record bytes (UserStateSerde's format): the processor serializes a state once
        // per event and hands the same bytes to the store, its changelog and (global mode) the signals topic.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(), Serdes.ByteArray()));
        // Ids to when and where they were seen (SeenValue; values of earlier versions, Serdes.Long's 8 bytes, read the same).
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SEEN_STORE), Serdes.String(), Serdes.ByteArray()));
        if (global) {
            builder.globalTable(topics.signals(), Consumed.with(Serdes.String(), Serdes.ByteArray()),
                    Materialized.<String, byte[], KeyValueStore<Bytes, byte[]>>as(VIEW_STORE)
                            .withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray()).withCachingDisabled());
        }
        // Events and outcomes (both keyed by user, same partitions) feed one processor: outcomes become the user's exposures.
        KStream<String, byte[]> events = builder.stream(java.util.List.of(topics.events(), topics.outcomes()),
                Consumed.with(Serdes.String(), Serdes.ByteArray()));
        KStream<String, byte[]> out = events.process(processor, STATE_STORE, SEEN_STORE);
        out.to(new Route(topics), Produced.with(Serdes.String(), Serdes.ByteArray()));
        return out;
    }

    /** Where the processor's output goes, by its headers; described by its topics (part of the topology's fingerprint). */
    private record Route(TopicsConfig topics) implements org.apache.kafka.streams.processor.TopicNameExtractor<String, byte[]> {
        @Override
        public String extract(String key, byte[] value, org.apache.kafka.streams.processor.RecordContext context) {
            return context.headers().lastHeader(SignalProcessor.REROUTE_HEADER) != null ? topics.events()
                    : context.headers().lastHeader(SignalProcessor.ERASURE_HEADER) != null ? topics.erasures()
                    : topics.signals();
        }

        @Override
        public String toString() {
            return "re-routed to " + topics.events() + ", erasures to " + topics.erasures() + ", states to " + topics.signals();
        }
    }

    /**
     * A short hash of the topology this instance runs (sub-topologies, topics, stores), as Kafka Streams
     * describes it: the same for the same code, mode and topics, different when any of them changes.
     */
    static String fingerprint(TopicsConfig topics, boolean global, java.util.Properties config) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(description(topics, global, config).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Kafka Streams' description of the topology (the same text in every JVM: no lambdas or identity hashes in it). */
    static String description(TopicsConfig topics, boolean global, java.util.Properties config) {
        StreamsBuilder scratch = new StreamsBuilder();
        // Described, never run (Streams checks that the supplier makes a new processor each time).
        define(scratch, topics, global, () -> new org.apache.kafka.streams.processor.api.Processor<String, byte[], String, byte[]>() {
            @Override
            public void process(org.apache.kafka.streams.processor.api.Record<String, byte[]> record) {
            }
        });
        return scratch.build(config).describe().toString();
    }

    /**
     * This instance's name in the engine's consumer group, stable across restarts: a random id kept in
     * {@code <data-dir>/instance-id}, made on the first start (each instance has a data folder of its own).
     */
    static String instanceId(java.nio.file.Path dataDir) {
        java.nio.file.Path file = dataDir.resolve("instance-id");
        try {
            if (java.nio.file.Files.exists(file)) {
                String id = java.nio.file.Files.readString(file).strip();
                if (id.matches("kairos-[0-9a-f-]{36}")) return id;
            }
            String id = "kairos-" + java.util.UUID.randomUUID();
            java.nio.file.Files.createDirectories(dataDir);
            java.nio.file.Path tmp = java.nio.file.Files.writeString(dataDir.resolve("instance-id.tmp"), id + "\n");
            java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return id;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot keep this instance's id in " + file, e);
        }
    }
}
