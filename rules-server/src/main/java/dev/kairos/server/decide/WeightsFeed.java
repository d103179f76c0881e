package dev.kairos.server.decide;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.Weights;
import dev.kairos.server.kafka.Topics;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Feeds {@link CurrentWeights} from the compacted weights topic ({@code kairos.topics.weights}):
 * every instance reads the whole topic from the beginning (no consumer group, nothing committed)
 * and the last record wins, so a rollback is simply the older version published again.
 *
 * <p><b>Start-up.</b> The server does not serve before it has read the topic up to the end offset
 * it had at start, so a restarted instance decides with the last published weights from its first
 * request on. The wait is bounded ({@code kairos.weights-startup-wait}, default 30 s): when Kafka
 * cannot be read in time, the start goes on with the built-in {@link Weights#DEFAULT}, a warning is
 * logged, the {@code weights} health indicator reports {@code DOWN}, and reading continues in the
 * background; the first time the end is reached, the published weights take over and the indicator
 * turns {@code UP}. Afterwards the topic is followed on the {@code kairos-weights} thread.
 *
 * <p>A record is {@code {"version", "recency", "depth", "conversion", "named": {...}}}; one that
 * does not parse or holds invalid weights is logged and skipped, leaving the current weights in
 * place.
 */
@Context
public class WeightsFeed {
    private static final Logger LOG = LoggerFactory.getLogger(WeightsFeed.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final long RETRY_MS = 1000;

    private final CurrentWeights current;
    private final ObjectMapper json;
    private final String topic;
    private final Consumer<byte[], byte[]> consumer;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean closed;
    private volatile String lastProblem;

    @Inject
    public WeightsFeed(CurrentWeights current, ObjectMapper json, Topics topics,
                       @Value("${kairos.weights-startup-wait:30s}") Duration startupWait) {
        this(current, json, topics.config().weights(), topics.clientConfig(), startupWait);
    }

    WeightsFeed(CurrentWeights current, ObjectMapper json, String topic, Map<String, Object> clientConfig, Duration startupWait) {
        this.current = current;
        this.json = json;
        this.topic = topic;
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "kairos-weights");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "kairos-weights");
        thread.setDaemon(true);
        thread.start();
        try {
            if (caughtUp.await(startupWait.toMillis(), TimeUnit.MILLISECONDS)) return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.warn("weights topic {} not read to its end within {} s ({}): deciding with weights version {} until it is",
                topic, startupWait.toSeconds(), lastProblem == null ? "no answer from Kafka" : lastProblem, current.get().getVersion());
    }

    /** Whether the topic was read up to the end offset it had at start (and weights published before then are in use). */
    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    /** Why the topic could not be read lately, or null. */
    String lastProblem() {
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
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) receive(r.value());
                if (!caughtUp() && reached(ends)) {
                    caughtUp.countDown();
                    LOG.info("weights topic {} read to its end: weights version {} in use", topic, current.get().getVersion());
                }
                lastProblem = null;
            } catch (WakeupException e) {
                // close()
            } catch (KafkaException e) {
                if (!e.toString().equals(lastProblem)) LOG.warn("cannot read weights topic {}: {}", topic, e.toString());
                lastProblem = e.toString();
                pause();
            }
        }
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

    void receive(byte[] value) {
        if (value == null) return;
        try {
            Weights w = parse(json.readTree(value));
            current.publish(w);
            LOG.info("weights version {} in use", w.getVersion());
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            LOG.warn("ignored a weights record that is not valid: {}", e.getMessage());
        }
    }

    @PreDestroy
    void close() {
        closed = true;
        consumer.wakeup();
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Weights parse(JsonNode n) {
        Map<String, Double> named = new HashMap<>();
        JsonNode namedNode = n.get("named");
        if (namedNode != null && namedNode.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = namedNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isNumber()) throw new IllegalArgumentException("named weight " + e.getKey() + " is not a number");
                named.put(e.getKey(), e.getValue().asDouble());
            }
        }
        return new Weights(text(n, "version"), number(n, "recency"), number(n, "depth"), number(n, "conversion"), named);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw new IllegalArgumentException(field + " must be a string");
        return v.asText();
    }

    private static double number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isNumber()) throw new IllegalArgumentException(field + " must be a number");
        return v.asDouble();
    }
}
