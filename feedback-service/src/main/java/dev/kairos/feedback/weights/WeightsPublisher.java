package dev.kairos.feedback.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.service.api.ApiException;
import dev.kairos.feedback.config.FeedbackTopics;
import io.micronaut.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
    private static final Logger LOG = LoggerFactory.getLogger(WeightsPublisher.class);
    static final String KEY = "current";

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final ObjectMapper json;

    public WeightsPublisher(@KafkaClient("kairos-weights") Producer<String, byte[]> producer, FeedbackTopics topics, ObjectMapper json) {
        this.producer = producer;
        this.topic = topics.weights();
        this.json = json;
    }

    /** Sends {@code v}; throws a 503 {@link ApiException} ({@code unavailable}) when Kafka did not acknowledge it. */
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
            throw unavailable(v);
        } catch (ExecutionException | TimeoutException | java.io.IOException e) {
            LOG.warn("could not publish weights version {}: {}", v.version(), e.toString());
            throw unavailable(v);
        }
    }

    private static ApiException unavailable(WeightsVersion v) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
                "Kafka did not acknowledge weights version " + v.version() + "; nothing was published, try again", null, null);
    }
}
