package dev.kairos.server.experiments;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.kairos.service.api.ApiException;
import dev.kairos.server.config.KairosConfig;
import dev.kairos.server.kafka.Topics;
import io.micronaut.configuration.kafka.annotation.KafkaClient;
import io.micronaut.context.annotation.Context;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Experiment definitions shared by every rules-server instance through the compacted experiments
 * topic ({@code kairos.topics.experiments}, default {@code kairos.experiments}), which is their
 * only source of truth: a record is keyed by the experiment's name and holds its JSON definition,
 * a deletion is a tombstone.
 *
 * <ul>
 *   <li>{@link #put} and {@link #delete} write the record, wait for Kafka to acknowledge it (so a
 *       {@code 2xx} means every instance will see it), then apply it to this instance's
 *       {@link ExperimentRegistry} at once, so the writer reads its own write.</li>
 *   <li>On start, before the server answers anything, the topic is read to its end, so a restarted
 *       (or new) instance assigns users like the others from its first decision. Then
 *       {@link ExperimentsListener} follows the topic and applies what other instances write.</li>
 *   <li>Experiments of earlier versions, kept as files under {@code <data-dir>/experiments}, are
 *       published once when the topic does not know their name, and their file is renamed to
 *       {@code <name>.json.imported}; the files are not read after that.</li>
 * </ul>
 * Thread-safe; writes are serialized.
 */
@Context
public class ExperimentService {
    private static final Logger LOG = LoggerFactory.getLogger(ExperimentService.class);
    /** The longest a start waits for the experiments topic to be read to its end. */
    static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(60);
    /** The JSON of a definition on the topic (ISO-8601 {@code updatedAt}). */
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            // A newer instance may add fields; an older one keeps what it understands.
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final ExperimentRegistry registry;
    private final Producer<String, byte[]> producer;
    private final String topic;

    public ExperimentService(ExperimentRegistry registry, @KafkaClient("kairos-experiments") Producer<String, byte[]> producer,
                             Topics topics, KairosConfig config) {
        this.registry = registry;
        this.producer = producer;
        this.topic = topics.config().experiments();
        catchUp(topics.clientConfig());
        importFiles(new LegacyExperimentFiles(config.dataDir()));
        LOG.info("{} experiments known, {} active", registry.list().size(), registry.list().stream().filter(Experiment::active).count());
    }

    /**
     * Creates or replaces {@code e} on every instance.
     *
     * @return true when it was created, false when it replaced one
     * @throws ApiException 503 when Kafka does not acknowledge the write; nothing changed then
     */
    public synchronized boolean put(Experiment e) {
        boolean created = registry.get(e.name()).isEmpty();
        long othersActive = registry.list().stream().filter(x -> x.active() && !x.name().equals(e.name())).count();
        if (e.active() && othersActive >= dev.kairos.rules.policy.PackPolicy.MAX_VARIANTS) {
            // Each active experiment is one Variant fact per decision; the rule check counts on this cap.
            throw ApiException.conflict("too_many_experiments", "at most " + dev.kairos.rules.policy.PackPolicy.MAX_VARIANTS
                    + " experiments may be active at once; end one first");
        }
        registry.apply(send(e.name(), encode(e)), e.name(), e);
        return created;
    }

    /** Deletes the experiment on every instance; false when there was none. */
    public synchronized boolean delete(String name) {
        if (registry.get(name).isEmpty()) return false;
        registry.apply(send(name, null), name, null);
        return true;
    }

    /** Applies one record read from the topic (see {@link ExperimentsListener}); a bad one is logged and skipped. */
    void receive(long offset, String name, byte[] value) {
        if (name == null) {
            LOG.warn("ignored an experiments record without a key at offset {}", offset);
            return;
        }
        try {
            Experiment e = value == null ? null : decode(value);
            if (registry.apply(offset, name, e)) {
                LOG.info(e == null ? "experiment {} deleted" : "experiment {} updated", name);
            }
        } catch (IOException | IllegalArgumentException | NullPointerException ex) {
            LOG.warn("ignored experiments record {} at offset {} that is not a valid experiment: {}", name, offset, ex.getMessage());
        }
    }

    static byte[] encode(Experiment e) {
        try {
            return JSON.writeValueAsBytes(e);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot write experiment " + e.name(), ex);
        }
    }

    static Experiment decode(byte[] value) throws IOException {
        return JSON.readValue(value, Experiment.class);
    }

    private long send(String name, byte[] value) {
        try {
            RecordMetadata meta = producer.send(new ProducerRecord<>(topic, name, value)).get(30, TimeUnit.SECONDS);
            return meta.offset();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while storing experiment '" + name + "'");
        } catch (ExecutionException | TimeoutException | RuntimeException ex) {
            LOG.warn("experiment {} not stored: {}", name, ex.toString());
            throw ApiException.unavailable("Kafka did not store experiment '" + name + "' (nothing changed); try again: " + ex.getMessage());
        }
    }

    /** Reads every record of the topic up to the end offsets found at start. */
    private void catchUp(Map<String, Object> clientConfig) {
        Map<String, Object> props = new HashMap<>(clientConfig);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "kairos-experiments-catch-up");
        long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic, CATCH_UP_TIMEOUT)) partitions.add(new TopicPartition(topic, p.partition()));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, CATCH_UP_TIMEOUT);
            int read = 0;
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read the experiments topic " + topic + " to its end within " + CATCH_UP_TIMEOUT);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    receive(r.offset(), r.key(), r.value());
                    read++;
                }
            }
            LOG.info("read {} records of {}", read, topic);
        }
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) return false;
        }
        return true;
    }

    private void importFiles(LegacyExperimentFiles files) {
        for (Experiment e : files.load()) {
            if (!registry.knows(e.name())) {
                registry.apply(send(e.name(), encode(e)), e.name(), e);
                LOG.info("experiment {} imported from its file into {}", e.name(), topic);
            }
            files.markImported(e.name());
        }
    }
}
