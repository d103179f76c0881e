package dev.kairos.server.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.learn.Bandit;
import dev.kairos.rules.learn.Exploration;
import dev.kairos.server.kafka.TopicFollower;
import dev.kairos.server.kafka.Topics;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The learned models topic's follower. Mostly the bandit models decisions choose with (keys that
 * {@link LearnedModels} owns, predictors and segments, go there): every instance reads the compacted topic
 * {@code kairos.topics.bandit} from the beginning (no consumer group) and keeps the latest model of
 * each choice point, so all instances converge on the same models as the feedback service publishes
 * them (every few minutes, from the outcomes). Until a point has a model its choices take the
 * first value. Exploration per placement: {@code kairos.exploration.epsilon} (default 0.1), or
 * {@code kairos.exploration.placements} ({@code home_banner=0.05,checkout=0}); 0 turns it off.
 */
@Context
public class BanditModels implements Exploration {
    private static final Logger LOG = LoggerFactory.getLogger(BanditModels.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Bandit.Model> models = new ConcurrentHashMap<>();
    /** The models by placement their choices were shown on (for NextBestAction facts). */
    private volatile Map<String, List<Bandit.Model>> byPlacement = Map.of();
    private final Map<String, List<String>> placementsOf = new ConcurrentHashMap<>();
    private final double epsilon;
    private final Map<String, Double> perPlacement = new HashMap<>();
    private final TopicFollower follower;

    private final LearnedModels learned;

    public BanditModels(Topics topics, LearnedModels learned, @Value("${kairos.exploration.epsilon:0.1}") double epsilon,
                        @Value("${kairos.exploration.placements:}") String placements) {
        if (!(epsilon >= 0 && epsilon <= 1)) throw new IllegalArgumentException("kairos.exploration.epsilon must be between 0 and 1");
        this.epsilon = epsilon;
        this.learned = learned;
        for (String part : placements == null ? new String[0] : placements.split(",")) {
            if (part.isBlank()) continue;
            int eq = part.indexOf('=');
            double e = eq < 0 ? Double.NaN : Double.parseDouble(part.substring(eq + 1).strip());
            if (!(e >= 0 && e <= 1)) throw new IllegalArgumentException("kairos.exploration.placements: '" + part + "' is not placement=share (0 to 1)");
            perPlacement.put(part.substring(0, eq).strip(), e);
        }
        this.follower = new TopicFollower(topics.config().bandit(), "kairos-bandit", topics.clientConfig(), this::receive, null, LOG);
    }

    @Override
    public Bandit.Model model(String point) {
        return models.get(point);
    }

    @Override
    public Map<String, List<Bandit.Model>> modelsByPlacement() {
        return byPlacement;
    }

    @Override
    public double epsilon(String placement) {
        return perPlacement.getOrDefault(placement, epsilon);
    }

    /** The models in use, by choice point. */
    public Map<String, Bandit.Model> models() {
        return Map.copyOf(models);
    }

    void receive(String point, byte[] value) {
        if (point == null) return;
        if (LearnedModels.owns(point)) {
            try {
                learned.receive(point, value == null ? null : JSON.readTree(value));
            } catch (IOException | RuntimeException e) {
                LOG.warn("ignored a learned model {} that is not valid: {}", point, e.getMessage());
            }
            return;
        }
        if (value == null) {
            models.remove(point);
            placementsOf.remove(point);
            index();
            return;
        }
        try {
            JsonNode n = JSON.readTree(value);
            models.put(point, parse(n));
            List<String> on = new ArrayList<>();
            n.path("placements").forEach(p -> on.add(p.asText()));
            placementsOf.put(point, List.copyOf(on));
            index();
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignored a bandit model for {} that is not valid: {}", point, e.getMessage());
        }
    }

    /** Rebuilds the by-placement index (on the reading thread; models change every few minutes). */
    private void index() {
        Map<String, List<Bandit.Model>> m = new HashMap<>();
        placementsOf.forEach((point, placements) -> {
            Bandit.Model model = models.get(point);
            if (model == null) return;
            for (String p : placements) m.computeIfAbsent(p, k -> new ArrayList<>()).add(model);
        });
        m.replaceAll((k, v) -> List.copyOf(v));
        byPlacement = Map.copyOf(m);
    }

    /** {@code {"point", "version", "arms": [...], "coefficients": [[...] or null per arm], "samples": [...]}}. */
    public static Bandit.Model parse(JsonNode n) {
        List<String> arms = new ArrayList<>();
        n.path("arms").forEach(a -> arms.add(a.asText()));
        List<double[]> coefficients = new ArrayList<>();
        for (JsonNode c : n.path("coefficients")) {
            if (c.isNull()) {
                coefficients.add(null);
                continue;
            }
            double[] t = new double[c.size()];
            for (int i = 0; i < t.length; i++) t[i] = c.get(i).asDouble();
            coefficients.add(t);
        }
        List<Long> samples = new ArrayList<>();
        n.path("samples").forEach(s -> samples.add(s.asLong()));
        return new Bandit.Model(n.path("point").asText(), n.path("version").asText(), arms, coefficients, samples);
    }

    @PreDestroy
    void close() {
        follower.close();
    }
}
