package dev.kairos.feedback.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.kairos.feedback.config.FeedbackConfig;
import dev.kairos.feedback.store.DecisionRow;
import dev.kairos.feedback.store.FeedbackStore;
import dev.kairos.feedback.store.Migrations;
import dev.kairos.feedback.store.OutcomeRow;
import dev.kairos.rules.learn.Predictors;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The learned user models over a real H2 store, with Kafka's {@link MockProducer} at the publishing
 * boundary ({@code BanditLearnerTest} refits through the API onto the real broker). A synthetic
 * population with known truths: conversions rise with product views and a full cart; users with
 * many sessions come back, others mostly do not; two kinds of users (buyers, browsers).
 */
class UserModelLearnerTest {
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    HikariDataSource db;
    final MockProducer<String, byte[]> producer = new MockProducer<>(true, new StringSerializer(), new ByteArraySerializer());
    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @BeforeEach
    void open() {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(new FeedbackConfig(null, null, null, 4, 1, Duration.ofSeconds(30), "t").effectiveUrl(dir));
        c.setUsername("sa");
        db = new HikariDataSource(c);
        Migrations.migrate(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    UserModelLearner learner(int k) {
        return new UserModelLearner(new UserModelStore(db), producer, "t.bandit", true, Duration.ofDays(28), Duration.ofDays(7), 500_000, 200, k, clock);
    }

    /** {@code users} users, each with a visit 9 days ago and, if they come back, another 5 days later (too recent to be labelled itself). */
    void logPopulation(int users, long seed) {
        Random r = new Random(seed);
        List<DecisionRow> decisions = new ArrayList<>();
        List<OutcomeRow> outcomes = new ArrayList<>();
        long first = NOW.minus(Duration.ofDays(9)).toEpochMilli();
        for (int u = 0; u < users; u++) {
            boolean buyer = r.nextBoolean();
            int views = buyer ? 4 + r.nextInt(7) : r.nextInt(3);
            int cart = buyer && r.nextDouble() < 0.7 ? 1 + r.nextInt(3) : 0;
            int sessions = r.nextInt(20);
            boolean back = r.nextDouble() < (sessions >= 8 ? 0.9 : 0.2);
            for (int visit = 0; visit < (back ? 2 : 1); visit++) {
                String id = "s" + seed + "u" + u + "v" + visit;
                long at = first + visit * Duration.ofDays(5).toMillis();
                String signals = "{\"intentScore\":0.5,\"recency\":0.9,\"depth\":0.5,\"conversionProbability\":0.1,\"scrollDepth\":0.5,"
                        + "\"pageViews\":" + (views + 1) + ",\"cartItems\":" + cart + ",\"productViews\":" + views + ",\"cartHistory\":0,"
                        + "\"purchasedInSession\":0,\"sessions\":" + (sessions + visit) + ",\"dwellSeconds\":30}";
                decisions.add(new DecisionRow(id, at, "s" + seed + "u" + u, null, "v1", "default", false, null, 0.5, 0.9, 0.5, 0.1, signals,
                        List.of("R"), List.of(new DecisionRow.PlacementRow("home_banner", "R", "c", false)), List.of()));
                outcomes.add(new OutcomeRow(id + "/i", id, "home_banner", "impression", "u" + u, "R", null, at, at));
                if (r.nextDouble() < 1 / (1 + Math.exp(-(-4 + 0.5 * views + 1.5 * (cart > 0 ? 1 : 0))))) {
                    outcomes.add(new OutcomeRow(id + "/v", id, "home_banner", "conversion", "u" + u, "R", null, at, at));
                }
            }
        }
        FeedbackStore store = new FeedbackStore(db);
        store.saveDecisions(decisions);
        store.saveOutcomes(outcomes);
    }

    @Test
    void conversionAndChurnAreLearnedValidatedAndPublishedWithTheirFeatures() throws Exception {
        logPopulation(4000, 1);
        Map<String, UserModelLearner.Result> results = learner(4).refit();

        UserModelLearner.Result conversion = results.get(Predictors.CONVERSION);
        assertThat(conversion.status()).as(conversion.reason()).isEqualTo("published");
        assertThat(conversion.baselineAuc()).as("a constant prior ranks nothing").isEqualTo(0.5);
        assertThat(conversion.holdoutAuc()).isGreaterThan(0.7);
        UserModelLearner.Result churn = results.get(Predictors.CHURN);
        assertThat(churn.status()).as(churn.reason()).isEqualTo("published");
        assertThat(churn.holdoutAuc()).isGreaterThan(0.75);

        Map<String, JsonNode> sent = new java.util.HashMap<>();
        for (ProducerRecord<String, byte[]> rec : producer.history()) sent.put(rec.key(), JSON.readTree(rec.value()));
        JsonNode c = sent.get("predictor:conversion");
        assertThat(c.get("version").asText()).isEqualTo(conversion.version()).startsWith("c20261201T120000Z");
        assertThat(JSON.convertValue(c.get("features"), List.class)).isEqualTo(Predictors.NAMES);
        assertThat(c.at("/coefficients/" + Predictors.NAMES.indexOf("productViews")).asDouble()).as("views raise conversion").isGreaterThan(1);
        assertThat(c.at("/coefficients/" + Predictors.NAMES.indexOf("cart")).asDouble()).as("a full cart raises conversion").isGreaterThan(0.5);
        assertThat(sent.get("predictor:churn").at("/coefficients/" + Predictors.NAMES.indexOf("sessions")).asDouble())
                .as("many sessions lower churn").isLessThan(-1);

        // a model as rules-server reads it predicts the truth's ordering
        double[] coefficients = JSON.convertValue(c.get("coefficients"), double[].class);
        Predictors.Model m = new Predictors.Model("conversion", "x", coefficients);
        double[] keen = Predictors.features(n -> switch (n) { case "productViews" -> 9; case "cartItems" -> 2; default -> 0; });
        double[] idle = Predictors.features(n -> 0);
        assertThat(m.predict(keen)).isGreaterThan(m.predict(idle) + 0.3);

        assertThat(new UserModelStore(db).published(Predictors.CONVERSION)).hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(conversion.version()));
    }

    @Test
    void tooLittleDataIsSkippedAndAModelNoBetterThanWhatDecidedIsNotPublished() {
        logPopulation(50, 2);
        Map<String, UserModelLearner.Result> few = learner(4).refit();
        assertThat(few.get(Predictors.CONVERSION).status()).isEqualTo("skipped");
        assertThat(few.get(UserModelLearner.SEGMENTS).status()).isEqualTo("skipped");
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void segmentsKeepTheirIdsWhenRefittedAndDescribeWhatSetsThemApart() throws Exception {
        logPopulation(3000, 3);
        UserModelLearner learner = learner(3);
        UserModelLearner.Result first = learner.refit().get(UserModelLearner.SEGMENTS);
        assertThat(first.status()).isEqualTo("published");
        assertThat(first.reason()).contains("k-means++ start");
        JsonNode a = learner.segments().orElseThrow();
        assertThat(a.get("clusters")).hasSize(3);
        List<String> labels = new ArrayList<>();
        a.get("clusters").forEach(n -> labels.add(n.get("label").asText()));
        assertThat(labels).anySatisfy(l -> assertThat(l).startsWith("high cart")).anySatisfy(l -> assertThat(l).startsWith("low cart"));

        logPopulation(1000, 4); // more of the same population
        UserModelLearner.Result second = learner.refit().get(UserModelLearner.SEGMENTS);
        assertThat(second.reason()).contains("refined from " + first.version() + " (same ids)");
        JsonNode b = learner.segments().orElseThrow();
        for (int i = 0; i < 3; i++) {
            assertThat(b.at("/clusters/" + i + "/id").asInt()).isEqualTo(a.at("/clusters/" + i + "/id").asInt());
            double moved = 0;
            for (int j = 0; j < UserModelLearner.SEGMENT_FEATURES.size(); j++) {
                moved += Math.abs(b.at("/clusters/" + i + "/centroid/" + j).asDouble() - a.at("/clusters/" + i + "/centroid/" + j).asDouble());
            }
            assertThat(moved).as("cluster %d stays near where it was", i).isLessThan(0.5);
        }
    }

    @Test
    void freshCentroidsTakeTheIdsOfTheNearestEarlierClusters() {
        UserModelLearner.Previous previous = new UserModelLearner.Previous("s1", new int[] {3, 5},
                new double[][] {{0, 0}, {1, 1}});
        int[] ids = UserModelLearner.assignIds(new double[][] {{0.9, 1.1}, {5, 5}, {0.1, 0}}, previous);
        assertThat(ids).containsExactly(5, 6, 3);
        assertThat(UserModelLearner.assignIds(new double[][] {{0, 0}, {1, 1}}, null)).containsExactly(0, 1);
    }
}
