package dev.kairos.server.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Follows a compacted topic that every instance reads whole (the weights, the learned models): all
 * its partitions from the beginning, no consumer group, nothing committed, each record handed to
 * the handler in order on a daemon thread named after the client id. It knows when it first read
 * up to the end offsets the topic had when reading began (a start-up can wait for that), and why
 * reading failed lately; while Kafka is away it logs each new problem once and retries every second.
 * A record the handler throws on is logged and skipped.
 */
public final class TopicFollower implements AutoCloseable {
    /** Receives each record: its key (null if none) and value (null for a tombstone). */
    public interface Handler {
        void accept(String key, byte[] value);
    }

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final long RETRY_MS = 1000;

    private final String topic;
    private final Handler handler;
    private final Runnable onCaughtUp;
    private final Logger log;
    private final KafkaConsumer<String, byte[]> consumer;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean closed;
    private volatile String lastProblem;

    /**
     * Starts following {@code topic}.
     * @param onCaughtUp run once, on the reading thread, when the end offsets of the start were first reached
     *                   (before {@link #awaitCaughtUp} returns true)
     * @param log where problems reading the topic are reported
     */
    public TopicFollower(String topic, String clientId, Map<String, Object> clientConfig, Handler handler, Runnable onCaughtUp, Logger log) {
        this.topic = topic;
        this.handler = handler;
        this.onCaughtUp = onCaughtUp;
        this.log = log;
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, clientId);
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits up to {@code wait} for {@link #caughtUp()}; returns it. */
    public boolean awaitCaughtUp(Duration wait) {
        try {
            return caughtUp.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return caughtUp();
        }
    }

    /** Whether the topic was read up to the end offsets it had when reading began. */
    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    /** Why the topic could not be read lately, or null. */
    public String lastProblem() {
        return lastProblem;
    }

    private void run() {
        List<TopicPartition> partitions = null;
        Map<TopicPartition, Long> ends = null;
        while (!closed) {
            try {
                if (partitions == null) {
                    List<PartitionInfo> infos = consumer.partitionsFor(topic, CALL_TIMEOUT);
                    if (infos == null || infos.isEmpty()) throw new KafkaException("topic " + topic + " not found");
                    partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                    consumer.assign(partitions);
                    consumer.seekToBeginning(partitions);
                }
                if (ends == null) ends = consumer.endOffsets(partitions, CALL_TIMEOUT);
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                    try {
                        handler.accept(r.key(), r.value());
                    } catch (RuntimeException e) {
                        // One bad record must not end the following: it is skipped, the next ones still count.
                        log.warn("skipped record {} of topic {} partition {}: {}", r.offset(), topic, r.partition(), e.toString());
                    }
                }
                if (!caughtUp() && reached(ends)) {
                    // The callback first: whoever waits in awaitCaughtUp sees what it did.
                    try {
                        if (onCaughtUp != null) onCaughtUp.run();
                    } finally {
                        caughtUp.countDown();
                    }
                }
                lastProblem = null;
            } catch (WakeupException e) {
                // close()
            } catch (KafkaException e) {
                if (closed) break;
                if (!e.toString().equals(lastProblem)) log.warn("cannot read topic {}: {}", topic, e.toString());
                lastProblem = e.toString();
                pause();
            }
        }
        Thread.interrupted(); // close() interrupts a sleep; the consumer must still close cleanly
        consumer.close(Duration.ofSeconds(1));
    }

    private boolean reached(Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (consumer.position(e.getKey(), CALL_TIMEOUT) < e.getValue()) return false;
        }
        return true;
    }

    private void pause() {
        try {
            Thread.sleep(RETRY_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops reading (waits up to 5 s for the thread). */
    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
