package dev.kairos.feedback.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.feedback.config.FeedbackTopics;
import dev.kairos.rules.learn.Bandit;
import io.micronaut.configuration.kafka.annotation.KafkaClient;
import io.micronaut.context.annotation.Value;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Learns what each {@code choose(...)} should pick for whom: every {@code kairos.feedback.bandit.interval}
 * (2 minutes) it refits, per choice point, a ridge regression per value of the click on the decision's
 * features, from the shown choices of the last {@code window} (14 days; at most the latest
 * {@code max-samples} per point, 200,000) and their outcomes, and
 * publishes the model on the compacted bandit topic, where every rules-server instance picks it up.
 * Each value's regression sees only the decisions that showed it, and exploration (logged with its
 * propensity) keeps every value shown, so the model learns values the current one would not pick.
 */
@Singleton
public class BanditLearner {
    private static final Logger LOG = LoggerFactory.getLogger(BanditLearner.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BanditStore store;
    private final Producer<String, byte[]> producer;
    private final String topic;
    private final Duration window;
    private final boolean enabled;
    private final int maxSamples;
    private volatile Map<String, JsonNode> published = Map.of();

    public BanditLearner(BanditStore store, @KafkaClient("kairos-bandit") Producer<String, byte[]> producer, FeedbackTopics topics,
                         @Value("${kairos.feedback.bandit.enabled:true}") boolean enabled,
                         @Value("${kairos.feedback.bandit.window:14d}") Duration window,
                         @Value("${kairos.feedback.bandit.max-samples:200000}") int maxSamples) {
        this.maxSamples = Math.max(1, maxSamples);
        this.store = store;
        this.producer = producer;
        this.topic = topics.bandit();
        this.window = window;
        this.enabled = enabled;
    }

    @Scheduled(initialDelay = "1m", fixedDelay = "${kairos.feedback.bandit.interval:2m}")
    void scheduled() {
        if (!enabled) return;
        try {
            refit();
        } catch (RuntimeException e) {
            LOG.warn("bandit refit failed (retried at the next interval): {}", e.toString());
        }
    }

    /** Refits every choice point with data and publishes the models; returns them by point. */
    public synchronized Map<String, JsonNode> refit() {
        Map<String, List<BanditStore.Shown>> byPoint = new LinkedHashMap<>();
        for (BanditStore.Shown s : store.shown(Instant.now().minus(window).toEpochMilli())) {
            byPoint.computeIfAbsent(s.point() + "\u0000" + s.arms(), k -> new ArrayList<>()).add(s);
        }
        String version = "b" + Instant.now().getEpochSecond();
        Map<String, JsonNode> models = new LinkedHashMap<>();
        for (List<BanditStore.Shown> rows : byPoint.values()) {
            BanditStore.Shown first = rows.get(0);
            List<String> arms = strings(first.arms());
            // the most recent ones only: a bounded refit, and preferences that drift are followed
            if (rows.size() > maxSamples) rows = rows.subList(rows.size() - maxSamples, rows.size());
            List<Bandit.Sample> samples = new ArrayList<>(rows.size());
            for (BanditStore.Shown s : rows) samples.add(new Bandit.Sample(numbers(s.features()), s.arm(), s.engaged() ? 1 : 0, s.propensity()));
            Bandit.Model m = Bandit.fit(first.point(), version, arms, samples, 1.0);
            ObjectNode json = toJson(m);
            // where its choices were shown: rules-server's NextBestAction facts are per placement
            java.util.Set<String> placements = new java.util.TreeSet<>();
            for (BanditStore.Shown s : rows) placements.add(s.placement());
            ArrayNode on = json.putArray("placements");
            placements.forEach(on::add);
            try {
                producer.send(new ProducerRecord<>(topic, m.point(), JSON.writeValueAsBytes(json))).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("could not publish the bandit model of " + m.point() + ": " + e, e);
            }
            models.put(m.point(), json);
        }
        if (!models.isEmpty()) LOG.info("bandit models {} published for {} choice point(s)", version, models.size());
        published = Map.copyOf(models);
        return models;
    }

    /** The models last published by this instance. */
    public Map<String, JsonNode> published() {
        return published;
    }

    static ObjectNode toJson(Bandit.Model m) {
        ObjectNode n = JSON.createObjectNode();
        n.put("point", m.point());
        n.put("version", m.version());
        ArrayNode arms = n.putArray("arms");
        m.arms().forEach(arms::add);
        ArrayNode coefficients = n.putArray("coefficients");
        for (double[] c : m.coefficients()) {
            if (c == null) coefficients.addNull();
            else {
                ArrayNode a = coefficients.addArray();
                for (double x : c) a.add(x);
            }
        }
        ArrayNode samples = n.putArray("samples");
        m.samples().forEach(samples::add);
        return n;
    }

    private static List<String> strings(String json) {
        try {
            List<String> out = new ArrayList<>();
            JSON.readTree(json).forEach(x -> out.add(x.asText()));
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static double[] numbers(String json) {
        try {
            JsonNode a = JSON.readTree(json);
            double[] x = new double[a.size()];
            for (int i = 0; i < x.length; i++) x[i] = a.get(i).asDouble();
            return x;
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
