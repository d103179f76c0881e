package dev.kairos.server.rules;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.kairos.service.api.ApiException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The rules topic ({@code kairos.topics.rules}, one partition, compacted, keys unique per entry):
 * writes {@link RulesCommand}s (acknowledged by every in-sync replica) and hands every entry, in
 * log order, to one applier: first up to the end found at start ({@link #catchUp}), then as they
 * come on a background thread ({@link #follow}, {@code kairos-rules-log}). Not thread-safe for
 * {@code catchUp}/{@code follow}; {@link #send} is.
 */
final class RulesLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RulesLog.class);
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** What to do with each entry read: its offset and the command. */
    interface Applier {
        void apply(long offset, RulesCommand command);
    }

    private final String topic;
    private final Producer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final TopicPartition partition;
    private Thread follower;
    private volatile boolean closed;

    RulesLog(String topic, Map<String, Object> clientConfig, Producer<String, byte[]> producer) {
        this.topic = topic;
        this.producer = producer;
        Map<String, Object> props = new HashMap<>(clientConfig);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "kairos-rules-log");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.partition = new TopicPartition(topic, 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
    }

    /** Reads and applies every entry up to the end of the topic as it is now; waits at most {@code timeout}. */
    int catchUp(Applier applier, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
        int read = 0;
        while (consumer.position(partition, timeout) < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read the rules topic " + topic + " to its end within " + timeout);
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                applyRecord(applier, r);
                read++;
            }
        }
        return read;
    }

    /** From here on, applies entries as they come, on a background thread. */
    void follow(Applier applier) {
        follower = new Thread(() -> {
            try {
                loop(applier);
            } finally {
                consumer.close(Duration.ofSeconds(2));
            }
        }, "kairos-rules-log");
        follower.setDaemon(true);
        follower.start();
    }

    private void loop(Applier applier) {
            while (!closed) {
                try {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) applyRecord(applier, r);
                } catch (WakeupException e) {
                    if (closed) break;
                } catch (RuntimeException e) {
                    if (closed) break;
                    LOG.warn("reading the rules topic failed; retrying: {}", e.toString());
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException ie) {
                        break;
                    }
                }
            }
    }

    private void applyRecord(Applier applier, ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) return;
        RulesCommand command;
        try {
            command = JSON.readValue(r.value(), RulesCommand.class);
        } catch (IOException e) {
            LOG.warn("ignored rules-log entry {} at offset {} that cannot be read: {}", r.key(), r.offset(), e.getMessage());
            return;
        }
        try {
            applier.apply(r.offset(), command);
        } catch (RuntimeException e) {
            // One bad entry must not stop this instance from following the others.
            LOG.error("could not apply rules-log entry {} at offset {}: {}", r.key(), r.offset(), e.toString(), e);
        }
    }

    /** Writes {@code command}; returns its offset once every in-sync replica has it. */
    long send(RulesCommand command) {
        try {
            byte[] value = JSON.writeValueAsBytes(command);
            return producer.send(new ProducerRecord<>(topic, 0, command.key(), value)).get(30, TimeUnit.SECONDS).offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while storing the rules change");
        } catch (ExecutionException | TimeoutException | IOException | RuntimeException e) {
            LOG.warn("rules change {} not stored: {}", command.key(), e.toString());
            throw ApiException.unavailable("Kafka did not store the rules change (nothing changed); try again");
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        if (follower != null) {
            try {
                follower.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (follower == null) consumer.close(Duration.ofSeconds(2));
    }
}
