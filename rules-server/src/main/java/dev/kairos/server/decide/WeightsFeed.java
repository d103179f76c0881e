package dev.kairos.server.decide;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.Weights;
import dev.kairos.server.kafka.TopicFollower;
import dev.kairos.server.kafka.Topics;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

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

    private final CurrentWeights current;
    private final ObjectMapper json;
    private final TopicFollower follower;

    @Inject
    public WeightsFeed(CurrentWeights current, ObjectMapper json, Topics topics,
                       @Value("${kairos.weights-startup-wait:30s}") Duration startupWait) {
        this(current, json, topics.config().weights(), topics.clientConfig(), startupWait);
    }

    WeightsFeed(CurrentWeights current, ObjectMapper json, String topic, Map<String, Object> clientConfig, Duration startupWait) {
        this.current = current;
        this.json = json;
        this.follower = new TopicFollower(topic, "kairos-weights", clientConfig, (key, value) -> receive(value),
                () -> LOG.info("weights topic {} read to its end: weights version {} in use", topic, current.get().getVersion()), LOG);
        if (follower.awaitCaughtUp(startupWait)) return;
        LOG.warn("weights topic {} not read to its end within {} s ({}): deciding with weights version {} until it is",
                topic, startupWait.toSeconds(), follower.lastProblem() == null ? "no answer from Kafka" : follower.lastProblem(), current.get().getVersion());
    }

    /** Whether the topic was read up to the end offset it had at start (and weights published before then are in use). */
    public boolean caughtUp() {
        return follower.caughtUp();
    }

    /** Why the topic could not be read lately, or null. */
    String lastProblem() {
        return follower.lastProblem();
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
        follower.close();
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
