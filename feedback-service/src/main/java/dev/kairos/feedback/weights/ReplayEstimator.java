package dev.kairos.feedback.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.feedback.rules.RulesServerClient;
import dev.kairos.service.api.ApiException;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * The off-policy estimate by replay: asks rules-server to replay its active pack on the decisions
 * logged in the window with the candidate weights in place of the recorded ones
 * ({@code POST /v1/rules/versions/{active}/replay} with {@code weights}). Rules-server reads the
 * decisions back from this service's replay log, with each shown placement's propensity, and scores
 * the candidate by inverse propensity: credit {@code engaged / propensity} where the candidate shows
 * what was logged. An unbiased estimate where the logged policy explored; where it did not
 * (propensity 1), a changed placement earns nothing, so the estimate leans pessimistic.
 */
@Singleton
public class ReplayEstimator implements OffPolicyEstimator {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayEstimator.class);
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final RulesServerClient rulesServer;
    private final ObjectMapper json;

    public ReplayEstimator(RulesServerClient rulesServer, ObjectMapper json) {
        this.rulesServer = rulesServer;
        this.json = json;
    }

    @Override
    public WeightsVersion.OffPolicy estimate(WeightsVersion candidate, Instant from, Instant to) {
        if (!rulesServer.configured()) return OffPolicyEstimator.NONE.estimate(candidate, from, to);
        try {
            RulesServerClient.KnownRules known = rulesServer.knownRules();
            if (!known.available()) return WeightsVersion.OffPolicy.unavailable("rules-server not reachable: " + known.reason());
            String active = known.versions().get("active");
            if (active == null) return WeightsVersion.OffPolicy.unavailable("rules-server has no active rules version");
            ObjectNode body = json.createObjectNode();
            body.put("from", from.toString());
            body.put("to", to.toString());
            body.put("examples", 0);
            ObjectNode w = body.putObject("weights");
            w.put("version", candidate.version());
            w.put("recency", candidate.recency());
            w.put("depth", candidate.depth());
            w.put("conversion", candidate.conversion());
            ObjectNode named = w.putObject("named");
            candidate.named().forEach(named::put);
            RulesServerClient.Forwarded r = rulesServer.forward("/v1/rules/versions/" + active + "/replay", json.writeValueAsString(body), TIMEOUT);
            if (r.status() != 200) return WeightsVersion.OffPolicy.unavailable("rules-server answered HTTP " + r.status() + " to the replay");
            JsonNode n = json.readTree(r.body());
            long replayed = n.path("replayed").asLong();
            if (replayed == 0) return WeightsVersion.OffPolicy.unavailable("no logged decisions with facts in the window to replay");
            return new WeightsVersion.OffPolicy(true, n.path("estCtrDelta").asDouble(), n.path("ciLow").asDouble(), n.path("ciHigh").asDouble(),
                    replayed, n.path("changed").asLong(), n.path("overlap").asDouble(), n.path("unsupported").asDouble(0),
                    "pack " + active + " replayed on " + replayed + " logged decisions with these weights (inverse propensity scoring)");
        } catch (ApiException | IOException e) {
            LOG.info("off-policy estimate not available: {}", e.getMessage());
            return WeightsVersion.OffPolicy.unavailable(e.getMessage());
        }
    }
}
