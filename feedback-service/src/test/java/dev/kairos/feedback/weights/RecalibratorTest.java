package dev.kairos.feedback.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.kairos.service.api.ApiException;
import dev.kairos.feedback.config.FeedbackConfig;
import dev.kairos.feedback.config.FeedbackTopics;
import dev.kairos.feedback.store.DecisionRow;
import dev.kairos.feedback.store.FeedbackStore;
import dev.kairos.feedback.store.Migrations;
import dev.kairos.feedback.store.OutcomeRow;
import org.apache.kafka.clients.producer.MockProducer;
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
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The recalibrator over a real H2 store, with Kafka's own {@link MockProducer} at the publishing
 * boundary so a failed send can be staged ({@code RecalibrationApiTest} publishes to the real broker).
 * Two recalibrators on one database stand for two service instances.
 */
class RecalibratorTest {
    static final Instant NOW = Instant.parse("2026-11-23T03:00:00Z");

    @TempDir
    Path dir;
    HikariDataSource db;
    WeightsStore weights;
    final AtomicReference<Instant> now = new AtomicReference<>(NOW);
    final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };

    @BeforeEach
    void open() {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(new FeedbackConfig(null, null, null, 4, 1, Duration.ofSeconds(30), "t").effectiveUrl(dir));
        c.setUsername("sa");
        db = new HikariDataSource(c);
        Migrations.migrate(db);
        weights = new WeightsStore(db, new ObjectMapper());
    }

    @AfterEach
    void close() {
        db.close();
    }

    static RecalibrationConfig config(int maxSamples) {
        return new RecalibrationConfig(false, "0 0 3 ? * MON", 28, maxSamples, 20, 200, 20, 0.01);
    }

    Recalibrator recalibrator(MockProducer<String, byte[]> producer, int maxSamples) {
        FeedbackTopics topics = new FeedbackTopics("t.decisions", "t.outcomes", "t.weights", "t.erasures", "t.triggers.dead", "t.bandit", 1, (short) 1);
        return new Recalibrator(weights, new WeightsPublisher(producer, topics, new ObjectMapper()), config(maxSamples), clock);
    }

    static MockProducer<String, byte[]> acking() {
        return new MockProducer<>(true, new StringSerializer(), new ByteArraySerializer());
    }

    /** Placements shown an hour ago; clicked with a probability that rises with depth only. */
    void logDepthDriven(int n) {
        Random random = new Random(7);
        long at = NOW.minus(Duration.ofHours(1)).toEpochMilli();
        List<DecisionRow> decisions = new ArrayList<>();
        List<OutcomeRow> outcomes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "d" + i;
            double r = random.nextDouble(), d = random.nextDouble(), c = random.nextDouble();
            decisions.add(new DecisionRow(id, at, "u" + i, null, "v1", "default", false, null, 0.5, r, d, c, null, List.of("R"),
                    List.of(new DecisionRow.PlacementRow("home_banner", "R", "c", false)), List.of()));
            outcomes.add(new OutcomeRow(id + "/i", id, "home_banner", "impression", "u" + i, "R", null, at, at));
            if (random.nextDouble() < 1 / (1 + Math.exp(-(-3 + 6 * d)))) {
                outcomes.add(new OutcomeRow(id + "/c", id, "home_banner", "click", "u" + i, "R", null, at, at));
            }
        }
        FeedbackStore store = new FeedbackStore(db);
        store.saveDecisions(decisions);
        store.saveOutcomes(outcomes);
    }

    @Test
    void whenKafkaDoesNotAcknowledgeNothingIsRecordedAsPublished() {
        logDepthDriven(2000);
        MockProducer<String, byte[]> failing = new MockProducer<>(false, new StringSerializer(), new ByteArraySerializer());
        Recalibrator r = recalibrator(failing, 1_000_000);
        Thread failer = new Thread(() -> {
            while (!failing.errorNext(new org.apache.kafka.common.errors.TimeoutException("broker down"))) Thread.onSpinWait();
        });
        failer.start();

        assertThatThrownBy(() -> r.run(null)).isInstanceOf(ApiException.class).hasMessageContaining("nothing was published");
        assertThat(weights.current().version()).isEqualTo("default");
        assertThat(weights.publications()).isEmpty();
        assertThat(weights.versions()).extracting(WeightsVersion::version).containsExactly("default");

        // The lease was given back: the next run publishes.
        MockProducer<String, byte[]> ok = acking();
        RecalibrationResult result = recalibrator(ok, 1_000_000).run(null);
        assertThat(result.status()).isEqualTo(WeightsVersion.PUBLISHED);
        assertThat(weights.current().version()).isEqualTo(result.candidate().version());
        assertThat(ok.history()).hasSize(1);
    }

    @Test
    void anotherInstanceCannotRecalibrateOrRollBackWhileOneRunsAndTheScheduleRunsOncePerHour() {
        logDepthDriven(2000);
        Recalibrator a = recalibrator(acking(), 1_000_000), b = recalibrator(acking(), 1_000_000);
        long hour = Duration.ofHours(1).toMillis();
        assertThat(weights.tryLease(Recalibrator.LEASE, "someone", NOW.toEpochMilli(), NOW.toEpochMilli() + hour, Long.MAX_VALUE, false)).isTrue();
        assertThatThrownBy(() -> a.run(null)).isInstanceOf(ApiException.class).hasMessageContaining("already running");
        assertThatThrownBy(() -> b.rollback("default")).isInstanceOf(ApiException.class).hasMessageContaining("is running");
        assertThat(b.runScheduled()).isEmpty();
        weights.releaseLease(Recalibrator.LEASE, "someone");

        assertThat(a.runScheduled()).hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(WeightsVersion.PUBLISHED));
        now.set(NOW.plus(Duration.ofMinutes(5)));
        assertThat(b.runScheduled()).as("A ran it 5 minutes ago").isEmpty();
        assertThat(b.run(null).status()).as("the admin trigger is not held back").isNotEqualTo("skipped");
        now.set(NOW.plus(Duration.ofDays(7)));
        assertThat(b.runScheduled()).as("next week").isPresent();
    }

    @Test
    void withMoreSamplesThanItMayKeepItLearnsFromAUniformSampleOfThem() {
        logDepthDriven(4000);
        MockProducer<String, byte[]> producer = acking();
        RecalibrationResult r = recalibrator(producer, 1000).run(null);
        assertThat(r.samples()).isEqualTo(4000);
        assertThat(r.candidate().trainingN() + r.candidate().holdoutN()).isEqualTo(1000);
        assertThat(r.candidate().holdoutN()).isEqualTo(200);
        assertThat(r.reason()).contains("a uniform sample of 1000 of 4000");
        assertThat(r.candidate().depth()).as("still finds the hidden truth").isGreaterThan(0.7);
    }

    @Test
    void atStartTheVersionInUseIsSentAgain() throws Exception {
        MockProducer<String, byte[]> producer = acking();
        Recalibrator r = recalibrator(producer, 1_000_000);
        assertThat(r.republishCurrent()).as("nothing was ever published").isEmpty();
        assertThat(producer.history()).isEmpty();

        logDepthDriven(2000);
        String version = r.run(null).candidate().version();
        producer.clear();
        assertThat(r.republishCurrent()).map(WeightsVersion::version).hasValue(version);
        assertThat(producer.history()).singleElement().satisfies(rec -> {
            assertThat(rec.key()).isEqualTo("current");
            assertThat(new ObjectMapper().readTree(rec.value()).get("version").asText()).isEqualTo(version);
        });
    }

    /**
     * Content explored with {@code choose(...)}: deep readers were mostly shown "premium" (which they
     * click), shallow readers mostly "plain", except for some exploration; the logged choices carry
     * their propensities. The fit weighs each sample by 1 / propensity and says so.
     */
    void logExplored(int n) {
        Random random = new Random(9);
        long at = NOW.minus(Duration.ofHours(1)).toEpochMilli();
        List<DecisionRow> decisions = new ArrayList<>();
        List<OutcomeRow> outcomes = new ArrayList<>();
        List<dev.kairos.feedback.learn.BanditStore.ChoiceRow> choices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "e" + i;
            double r = random.nextDouble(), d = random.nextDouble(), c = random.nextDouble();
            double pPremium = d > 0.5 ? 0.9 : 0.1;
            boolean premium = random.nextDouble() < pPremium;
            decisions.add(new DecisionRow(id, at, "u" + i, null, "v1", "default", false, null, 0.5, r, d, c, null, List.of("Pick"),
                    List.of(new DecisionRow.PlacementRow("home_banner", "Pick", premium ? "premium" : "plain", false)), List.of()));
            choices.add(new dev.kairos.feedback.learn.BanditStore.ChoiceRow(id, "home_banner", "Pick/home_banner/content", at, premium ? 0 : 1,
                    "[\"premium\",\"plain\"]", premium ? pPremium : 1 - pPremium, premium != (d > 0.5), null, "[1]"));
            outcomes.add(new OutcomeRow(id + "/i", id, "home_banner", "impression", "u" + i, "Pick", null, at, at));
            if (random.nextDouble() < (premium ? 1 / (1 + Math.exp(-(-3 + 6 * d))) : 0.2)) {
                outcomes.add(new OutcomeRow(id + "/c", id, "home_banner", "click", "u" + i, "Pick", null, at, at));
            }
        }
        FeedbackStore store = new FeedbackStore(db);
        store.saveDecisions(decisions);
        new dev.kairos.feedback.learn.BanditStore(db).save(choices);
        store.saveOutcomes(outcomes);
    }

    @Test
    void loggedExplorationIsWeighedByItsInversePropensityAndTheOffPolicyEstimateIsKeptWithTheVersion() {
        logExplored(3000);
        List<WeightsVersion> estimated = new ArrayList<>();
        OffPolicyEstimator estimator = (candidate, from, to) -> {
            estimated.add(candidate);
            assertThat(to.toEpochMilli() - from.toEpochMilli()).as("the recalibration's window").isEqualTo(Duration.ofDays(28).toMillis() + 1);
            return new WeightsVersion.OffPolicy(true, 0.012, 0.004, 0.020, 3000L, 900L, 0.7, 0.0, "replayed");
        };
        FeedbackTopics topics = new FeedbackTopics("t.decisions", "t.outcomes", "t.weights", "t.erasures", "t.triggers.dead", "t.bandit", 1, (short) 1);
        MockProducer<String, byte[]> producer = acking();
        RecalibrationResult r = new Recalibrator(weights, new WeightsPublisher(producer, topics, new ObjectMapper()), config(1_000_000), clock, estimator)
                .run(null);
        assertThat(r.status()).as(r.reason()).isEqualTo(WeightsVersion.PUBLISHED);
        assertThat(r.reason()).contains("propensity-weighted AUC").contains("off-policy estimate +1.20 points (95 % CI +0.40 to +2.00)");
        assertThat(estimated).singleElement().extracting(WeightsVersion::version).isEqualTo(r.candidate().version());
        assertThat(weights.version(r.candidate().version()).orElseThrow().offPolicy())
                .as("stored with the version").isEqualTo(new WeightsVersion.OffPolicy(true, 0.012, 0.004, 0.020, 3000L, 900L, 0.7, 0.0, "replayed"));
    }

    @Test
    void aCandidateTheOffPolicyEstimateFindsWorseIsNotPublished() {
        logDepthDriven(2000);
        FeedbackTopics topics = new FeedbackTopics("t.decisions", "t.outcomes", "t.weights", "t.erasures", "t.triggers.dead", "t.bandit", 1, (short) 1);
        MockProducer<String, byte[]> producer = acking();
        OffPolicyEstimator worse = (candidate, from, to) -> new WeightsVersion.OffPolicy(true, -0.03, -0.05, -0.02, 2000L, 600L, 0.7, 0.01, "replayed");
        RecalibrationResult r = new Recalibrator(weights, new WeightsPublisher(producer, topics, new ObjectMapper()), config(1_000_000), clock, worse)
                .run(null);
        assertThat(r.status()).isEqualTo(WeightsVersion.REJECTED);
        assertThat(r.reason()).startsWith("worse off-policy: ").contains("-3.00 points");
        assertThat(producer.history()).isEmpty();
        assertThat(weights.current().version()).isEqualTo("default");
        assertThat(weights.version(r.candidate().version()).orElseThrow().status()).isEqualTo(WeightsVersion.REJECTED);

        // a pessimistic bound (more changes never explored than the interval is below 0) is reported but does not judge
        RecalibrationResult bound = new Recalibrator(weights, new WeightsPublisher(producer, topics, new ObjectMapper()), config(1_000_000), clock,
                (candidate, from, to) -> new WeightsVersion.OffPolicy(true, -0.03, -0.05, -0.01, 2000L, 600L, 0.7, 0.3, "replayed")).run(null);
        assertThat(bound.status()).isEqualTo(WeightsVersion.PUBLISHED);
        assertThat(bound.reason()).contains("inconclusive: 30.0 % of shown placements change where the logs never explored, enough to explain");

        // an estimate that cannot be made does not hold a better fit back
        RecalibrationResult unknown = new Recalibrator(weights, new WeightsPublisher(producer, topics, new ObjectMapper()), config(1_000_000), clock,
                (candidate, from, to) -> WeightsVersion.OffPolicy.unavailable("rules-server not reachable")).run(null);
        assertThat(unknown.status()).isEqualTo(WeightsVersion.PUBLISHED);
        assertThat(unknown.reason()).contains("no off-policy estimate (rules-server not reachable)");
    }
}
