package dev.kairos.server.decide;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.Weights;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads the compacted weights topic ({@code kairos.topics.weights}) from the beginning, in a
 * consumer group of its own (every instance must see every version), and publishes each version to
 * {@link CurrentWeights}; the last record wins, so a rollback is simply the older version published
 * again. A record is {@code {"version", "recency", "depth", "conversion", "named": {...}}}; one that
 * does not parse or holds invalid weights is logged and skipped, leaving the current weights in place.
 */
@KafkaListener(groupId = "kairos-weights", uniqueGroupId = true, offsetReset = OffsetReset.EARLIEST,
        properties = @io.micronaut.context.annotation.Property(name = "enable.auto.commit", value = "false"))
public class WeightsListener {
    private static final Logger LOG = LoggerFactory.getLogger(WeightsListener.class);

    private final CurrentWeights current;
    private final ObjectMapper json;

    public WeightsListener(CurrentWeights current, ObjectMapper json) {
        this.current = current;
        this.json = json;
    }

    @Topic("${kairos.topics.weights}")
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
