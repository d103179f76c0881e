package dev.kairos.feedback.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.feedback.support.Records;
import dev.kairos.feedback.support.TestService;
import dev.kairos.kafka.SharedBroker;
import dev.kairos.rules.learn.Bandit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.kairos.feedback.support.TestService.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bandit learns from logged choices and outcomes: decisions whose choose(...) explored every
 * value, with clicks that depend on the user's intent, give a model whose best value differs with
 * the intent, published on the bandit topic for rules-server.
 */
class BanditLearnerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> ARMS = List.of("ctaA", "ctaB", "ctaC");

    static double click(int arm, double intent) {
        double[] centre = {0.15, 0.5, 0.85};
        return 0.05 + 0.3 * Math.exp(-Math.pow((intent - centre[arm]) / 0.2, 2));
    }

    static double[] features(double intent) {
        return new double[] {1, intent, intent * intent};
    }

    @Test
    void choicesAndOutcomesBecomeAModelOnTheBanditTopic() throws Exception {
        try (TestService service = TestService.start(Map.of("kairos.feedback.recalibration.enabled", false, "kairos.feedback.bandit.enabled", false))) {
            Random r = new Random(3);
            Instant at = Instant.now().minusSeconds(600);
            List<String> decisions = new ArrayList<>(), outcomes = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                double intent = r.nextDouble();
                int arm = r.nextInt(3); // uniform exploration: propensity 1/3
                String id = "d" + i, user = "u" + i;
                String choice = "\"choices\":[{\"point\":\"Offer#1\",\"value\":\"" + ARMS.get(arm) + "\",\"arm\":" + arm
                        + ",\"arms\":[\"ctaA\",\"ctaB\",\"ctaC\"],\"propensity\":0.3333333,\"explored\":true,\"model\":\"none\"}],\"propensity\":0.3333333,";
                double[] x = features(intent);
                decisions.add(Records.decision(id, user, at, "Offer", "home_banner", false, null, intent)
                        .replace("\"fallback\":false,\"suppressed\":false}", "\"fallback\":false,\"suppressed\":false," + choice.substring(0, choice.length() - 1) + "}")
                        .replace("\"matchedRules\"", "\"features\":[" + x[0] + "," + x[1] + "," + x[2] + "],\"matchedRules\""));
                outcomes.add(Records.outcome(id, user, at, "home_banner", "impression"));
                if (r.nextDouble() < click(arm, intent)) outcomes.add(Records.outcome(id, user, at, "home_banner", "click"));
            }
            service.send("decisions", "k", decisions.toArray(String[]::new));
            service.send("outcomes", "k", outcomes.toArray(String[]::new));
            await().atMost(Duration.ofSeconds(60)).until(() -> service.store().count("outcomes") == outcomes.size()
                    && service.store().count("decisions") == decisions.size());

            JsonNode models = service.http.postJson("/v1/bandit/refit", ADMIN_KEY, "").json();
            JsonNode offer = models.get("Offer#1");
            assertThat(offer).as(models.toString()).isNotNull();
            assertThat(offer.get("arms")).hasSize(3);
            assertThat(offer.get("samples").get(0).asLong() + offer.get("samples").get(1).asLong() + offer.get("samples").get(2).asLong()).isEqualTo(3000);

            // published on the topic, where rules-server reads it; the model picks by intent
            Map<String, String> onTopic = new HashMap<>();
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
                TopicPartition p = new TopicPartition(service.namespace + ".bandit", 0);
                c.assign(List.of(p));
                c.seekToBeginning(List.of(p));
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    for (ConsumerRecord<String, String> rec : c.poll(Duration.ofMillis(200))) onTopic.put(rec.key(), rec.value());
                    return onTopic.containsKey("Offer#1");
                });
            }
            JsonNode published = JSON.readTree(onTopic.get("Offer#1"));
            assertThat(published.get("placements")).as("where its choices were shown, for NextBestAction").hasSize(1);
            assertThat(published.at("/placements/0").asText()).isEqualTo("home_banner");
            List<double[]> coefficients = new ArrayList<>();
            List<Long> samples = new ArrayList<>();
            for (int a = 0; a < 3; a++) {
                JsonNode c = published.get("coefficients").get(a);
                coefficients.add(new double[] {c.get(0).asDouble(), c.get(1).asDouble(), c.get(2).asDouble()});
                samples.add(published.get("samples").get(a).asLong());
            }
            Bandit.Model model = new Bandit.Model("Offer#1", published.get("version").asText(), ARMS, coefficients, samples);
            assertThat(Bandit.choose("Offer#1", model, ARMS, features(0.1), 0, 0.5, 0.5).value()).isEqualTo("ctaA");
            assertThat(Bandit.choose("Offer#1", model, ARMS, features(0.5), 0, 0.5, 0.5).value()).isEqualTo("ctaB");
            assertThat(Bandit.choose("Offer#1", model, ARMS, features(0.9), 0, 0.5, 0.5).value()).isEqualTo("ctaC");

            // the learned user models through the API, on the same logged decisions (3000 users, no conversions reported)
            JsonNode refit = service.http.postJson("/v1/predictors/refit", ADMIN_KEY, "").json();
            assertThat(refit.at("/conversion/status").asText()).as(refit.toString()).isEqualTo("skipped");
            assertThat(refit.at("/segments/status").asText()).isEqualTo("published");
            String segments = refit.at("/segments/version").asText();
            assertThat(service.http.get("/v1/segments", ADMIN_KEY).json().get("version").asText()).isEqualTo(segments);
            JsonNode overview = service.http.get("/v1/predictors", ADMIN_KEY).json();
            assertThat(overview.at("/inUse/segments").asText()).isEqualTo(segments);
            assertThat(service.http.get("/v1/predictors", null).status()).as("admin only").isEqualTo(401);
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
                TopicPartition p = new TopicPartition(service.namespace + ".bandit", 0);
                c.assign(List.of(p));
                c.seekToBeginning(List.of(p));
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    for (ConsumerRecord<String, String> rec : c.poll(Duration.ofMillis(200))) onTopic.put(rec.key(), rec.value());
                    return onTopic.containsKey("segments");
                });
            }
            assertThat(JSON.readTree(onTopic.get("segments")).get("version").asText()).isEqualTo(segments);
        }
    }
}
