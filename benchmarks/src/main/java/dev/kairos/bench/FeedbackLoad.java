package dev.kairos.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.kairos.feedback.config.FeedbackConfig;
import dev.kairos.feedback.config.FeedbackTopics;
import dev.kairos.feedback.kpi.KpiService;
import dev.kairos.feedback.store.DecisionRow;
import dev.kairos.feedback.store.FeedbackStore;
import dev.kairos.feedback.store.GroupBy;
import dev.kairos.feedback.store.Migrations;
import dev.kairos.feedback.store.OutcomeRow;
import dev.kairos.feedback.weights.RecalibrationConfig;
import dev.kairos.feedback.weights.RecalibrationResult;
import dev.kairos.feedback.weights.Recalibrator;
import dev.kairos.feedback.weights.WeightsPublisher;
import dev.kairos.feedback.weights.WeightsStore;
import dev.kairos.kafka.LocalKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Feedback store and recalibration figures: writes synthetic decisions and outcomes through the
 * real {@link FeedbackStore} in batches of 2,000 (a poll's batch of the service's consumers) to the
 * embedded H2 file (or the JDBC URL given), replays a batch (idempotent no-ops), times a KPI
 * query over everything, then runs the real {@link Recalibrator} over all of it, publishing to a
 * real local broker. Users engage depending on depth, so the fit has something to find.
 *
 * <pre>benchmarks/load/feedback.sh [--outcomes 1000000] [--db jdbc:postgresql://…] [--user u] [--password p]</pre>
 */
public final class FeedbackLoad {
    static final int BATCH = 2_000;

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new java.util.HashMap<>(Map.of("--outcomes", "1000000", "--db", "", "--user", "", "--password", "",
                "--bulk", "false", "--kpis", "true"));
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
        int target = Integer.parseInt(opt.get("--outcomes"));
        Path dir = Files.createTempDirectory("kairos-feedback-bench");
        String url = new FeedbackConfig(opt.get("--db"), null, null, 4, 1, java.time.Duration.ofSeconds(30), "bench").effectiveUrl(dir);
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setUsername(opt.get("--user").isEmpty() ? (url.startsWith("jdbc:h2:") ? "sa" : null) : opt.get("--user"));
        if (!opt.get("--password").isEmpty()) hc.setPassword(opt.get("--password"));
        hc.setMaximumPoolSize(4);
        try (HikariDataSource ds = new HikariDataSource(hc);
             LocalKafka kafka = LocalKafka.builder().dataDir(dir.resolve("kafka")).heap("512m").build().start();
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            System.out.println("store: " + (url.startsWith("jdbc:h2:") ? "H2 file in " + dir : url.replaceAll("password=[^&;]*", "password=***")));
            // --bulk true: generate the data server-side; --bulk reuse: what an earlier bulk run left in the database.
            boolean reuse = "reuse".equals(opt.get("--bulk"));
            boolean bulk = reuse || Boolean.parseBoolean(opt.get("--bulk"));
            if (bulk && url.startsWith("jdbc:h2:")) throw new IllegalArgumentException("--bulk needs PostgreSQL (--db jdbc:postgresql://...)");
            Migrations.migrate(ds, bulk ? BEFORE_ROLLUP : "latest");
            FeedbackStore store = new FeedbackStore(ds);
            ObjectMapper json = new ObjectMapper();
            WeightsStore weights = new WeightsStore(ds, json);

            Random random = new Random(1);
            Instant now = Instant.now();
            long outcomes = 0, decisions = 0, outcomeNanos = 0, decisionNanos = 0;
            List<OutcomeRow> lastBatch = List.of();
            if (bulk) {
                long[] made = reuse ? existing(ds) : bulkLoad(ds, target, now);
                decisions = made[0];
                outcomes = made[1];
                long m = System.nanoTime();
                Migrations.migrate(ds);
                System.out.printf("migration to the latest schema (fills placement_outcomes from %,d outcomes): %.1f s%n", outcomes,
                        (System.nanoTime() - m) / 1e9);
            }
            while (outcomes < target) {
                List<DecisionRow> ds1 = new ArrayList<>(BATCH);
                List<OutcomeRow> os = new ArrayList<>(BATCH);
                while (os.size() < BATCH && outcomes + os.size() < target) {
                    String id = java.util.UUID.randomUUID().toString();
                    long at = now.minus(Duration.ofMinutes(random.nextInt(20 * 24 * 60))).toEpochMilli();
                    double r = random.nextDouble(), d = random.nextDouble(), c = random.nextDouble();
                    String rule = "Rule " + random.nextInt(20);
                    ds1.add(new DecisionRow(id, at, "u" + random.nextInt(200_000), null, "v1", "default", false, null,
                            0.4 * r + 0.3 * d + 0.3 * c, r, d, c, null, List.of(rule),
                            List.of(new DecisionRow.PlacementRow("home_banner", rule, "c", false)), List.of()));
                    os.add(new OutcomeRow(id + "/home_banner/impression", id, "home_banner", "impression", "u", rule, null, at, at));
                    if (random.nextDouble() < 1 / (1 + Math.exp(-(-3 + 5 * d))) && os.size() < BATCH) {
                        os.add(new OutcomeRow(id + "/home_banner/click", id, "home_banner", "click", "u", rule, null, at + 1000, at + 1000));
                    }
                }
                long t0 = System.nanoTime();
                store.saveDecisions(ds1);
                long t1 = System.nanoTime();
                store.saveOutcomes(os);
                long t2 = System.nanoTime();
                decisionNanos += t1 - t0;
                outcomeNanos += t2 - t1;
                decisions += ds1.size();
                outcomes += os.size();
                lastBatch = os;
                if (outcomes / 100_000 != (outcomes - os.size()) / 100_000) {
                    System.out.printf("  %,d outcomes stored so far (%.0f/s)%n", outcomes, outcomes / (outcomeNanos / 1e9));
                }
            }
            if (!bulk) {
                System.out.printf("decisions stored: %,d in %.1f s = %,.0f/s%n", decisions, decisionNanos / 1e9, decisions / (decisionNanos / 1e9));
                System.out.printf("outcomes stored:  %,d in %.1f s = %,.0f/s (batches of %,d)%n", outcomes, outcomeNanos / 1e9,
                        outcomes / (outcomeNanos / 1e9), BATCH);
            }
            long t;
            if (!bulk) {
                t = System.nanoTime();
                int again = store.saveOutcomes(lastBatch);
                if (url.startsWith("jdbc:h2:")) {
                    System.out.printf("H2 file size: %,d MB%n", Files.size(dir.resolve("feedback/kairos.mv.db")) / (1 << 20));
                }
                System.out.printf("replayed batch of %,d outcomes: %d new rows, %.0f ms%n", lastBatch.size(), again, (System.nanoTime() - t) / 1e6);
            }

            long f = now.minus(Duration.ofDays(28)).toEpochMilli(), e = now.plusSeconds(1).toEpochMilli();
            if (Boolean.parseBoolean(opt.get("--kpis"))) {
            t = System.nanoTime();
            store.counts(f, e, GroupBy.RULE);
            System.out.printf("  counts by rule: %.0f ms%n", (System.nanoTime() - t) / 1e6);
            t = System.nanoTime();
            store.intentBins(f, e, GroupBy.RULE);
            System.out.printf("  intent bins by rule: %.0f ms%n", (System.nanoTime() - t) / 1e6);
            KpiService kpis = new KpiService(store, 0.8);
            t = System.nanoTime();
            var report = kpis.report(now.minus(Duration.ofDays(28)), now.plusSeconds(1), GroupBy.RULE);
            System.out.printf("KPIs by rule over 28 days: %d groups, %,d impressions, %.0f ms%n", report.groups().size(),
                    report.total().impressions(), (System.nanoTime() - t) / 1e6);
            }

            FeedbackTopics topics = new FeedbackTopics("bench.decisions", "bench.outcomes", "bench.weights", "bench.erasures", "bench.triggers.dead", "bench.bandit", 1, (short) 1);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topics.weights(), 1, (short) 1))).all().get();
            }
            Recalibrator recalibrator = new Recalibrator(weights, new WeightsPublisher(producer, topics, json),
                    new RecalibrationConfig(false, "0 0 3 ? * MON", 28, 10_000_000, 20, 200, 20, 0.01), dev.kairos.feedback.weights.OffPolicyEstimator.NONE);
            t = System.nanoTime();
            RecalibrationResult result = recalibrator.run(null);
            System.out.printf("recalibration over %,d shown placements (%,d outcomes): %s in %.1f s (%s)%n", result.samples(), outcomes,
                    result.status(), (System.nanoTime() - t) / 1e9, result.reason());
            System.out.println("weights: " + result.current().recency() + ", " + result.current().depth() + ", " + result.current().conversion());
            Runtime rt = Runtime.getRuntime();
            System.out.printf("heap in use after the run: %,d MB of %,d MB max%n", (rt.totalMemory() - rt.freeMemory()) >> 20, rt.maxMemory() >> 20);
        }
    }

    /** {decisions, outcomes} already stored. */
    static long[] existing(javax.sql.DataSource ds) throws java.sql.SQLException {
        try (java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT (SELECT COUNT(*) FROM decisions), (SELECT COUNT(*) FROM outcomes)")) {
            rs.next();
            System.out.printf("reusing %,d decisions and %,d outcomes already stored%n", rs.getLong(1), rs.getLong(2));
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    /** A schema version before {@code placement_outcomes} (V5): bulk data goes in there, then the migrations fill the table. */
    static final String BEFORE_ROLLUP = "2";

    /**
     * PostgreSQL only: generates decisions (one home_banner placement each) with an impression each
     * and a click with the same depth-driven probability as the store path, server-side with
     * {@code generate_series} (about a minute per 10M rows instead of ~10 minutes through the store),
     * until about {@code target} outcomes. Returns {decisions, outcomes}.
     */
    static long[] bulkLoad(javax.sql.DataSource ds, long target, Instant now) throws java.sql.SQLException {
        // Outcomes per decision: 1 impression + a click with probability ∫σ(−3 + 5d) dd over d in 0..1 ≈ 0.415.
        long decisions = Math.round(target / 1.415);
        long t = System.nanoTime();
        try (java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
            long nowMs = now.toEpochMilli();
            for (long from = 1; from <= decisions; from += 1_000_000) {
                long to = Math.min(decisions, from + 999_999);
                st.executeUpdate("INSERT INTO decisions (decision_id, decided_at, user_key, rules_version, weights_version, canary, "
                        + "intent_score, recency, depth, conversion_probability, matched_rules) "
                        + "SELECT md5('" + nowMs + ":' || g), " + nowMs + " - floor(random() * 20 * 24 * 60)::bigint * 60000, "
                        + "'u' || floor(random() * 200000)::int, 'v1', 'default', FALSE, 0.4 * r + 0.3 * d + 0.3 * c, r, d, c, "
                        + "'Rule ' || (g % 20) FROM (SELECT g, random() AS r, random() AS d, random() AS c "
                        + "FROM generate_series(" + from + ", " + to + ") g) s");
                System.out.printf("  %,d decisions generated (%.0f s)%n", to, (System.nanoTime() - t) / 1e9);
            }
            st.executeUpdate("INSERT INTO decision_placements (decision_id, placement, rule_name, content_id, fallback) "
                    + "SELECT decision_id, 'home_banner', matched_rules, 'c', FALSE FROM decisions");
            long impressions = st.executeUpdate("INSERT INTO outcomes (outcome_key, decision_id, placement, outcome_type, user_key, "
                    + "rule_name, occurred_at, received_at) SELECT decision_id || '/home_banner/impression', decision_id, 'home_banner', "
                    + "'impression', user_key, matched_rules, decided_at, decided_at FROM decisions");
            long clicks = st.executeUpdate("INSERT INTO outcomes (outcome_key, decision_id, placement, outcome_type, user_key, "
                    + "rule_name, occurred_at, received_at) SELECT decision_id || '/home_banner/click', decision_id, 'home_banner', "
                    + "'click', user_key, matched_rules, decided_at + 1000, decided_at + 1000 FROM decisions "
                    + "WHERE random() < 1 / (1 + exp(-(-3 + 5 * depth)))");
            st.execute("ANALYZE");
            System.out.printf("generated %,d decisions and %,d outcomes server-side in %.0f s%n", decisions, impressions + clicks,
                    (System.nanoTime() - t) / 1e9);
            return new long[] {decisions, impressions + clicks};
        }
    }
}
