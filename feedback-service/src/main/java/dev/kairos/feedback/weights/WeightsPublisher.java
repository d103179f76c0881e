package dev.kairos.feedback.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.feedback.config.FeedbackTopics;
import io.micronaut.configuration.kafka.annotation.KafkaClient;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes a weights version to the compacted weights topic under the key {@code current}, as
 * {@code {"version", "recency", "depth", "conversion", "named": {...}}} (what every rules-server
 * instance reads into its current weights), and waits for the broker's acknowledgement (up to 15 s).
 */
@Singleton
public class WeightsPublisher {
    static final String KEY = "current";

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final ObjectMapper json;

    public WeightsPublisher(@KafkaClient("kairos-weights") Producer<String, byte[]> producer, FeedbackTopics topics, ObjectMapper json) {
        this.producer = producer;
        this.topic = topics.weights();
        this.json = json;
    }

    /** Sends {@code v}; throws {@link IllegalStateException} when Kafka did not acknowledge it. */
    public void publish(WeightsVersion v) {
        ObjectNode n = json.createObjectNode();
        n.put("version", v.version());
        n.put("recency", v.recency());
        n.put("depth", v.depth());
        n.put("conversion", v.conversion());
        ObjectNode named = n.putObject("named");
        for (Map.Entry<String, Double> e : v.named().entrySet()) named.put(e.getKey(), e.getValue());
        try {
            producer.send(new ProducerRecord<>(topic, KEY, json.writeValueAsBytes(n))).get(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing weights", e);
        } catch (ExecutionException | TimeoutException | java.io.IOException e) {
            throw new IllegalStateException("could not publish weights version " + v.version() + ": " + e, e);
        }
    }
}
