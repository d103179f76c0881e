package dev.kairos.feedback.kpi;

import dev.kairos.feedback.store.FeedbackStore;
import dev.kairos.feedback.support.Http;
import dev.kairos.feedback.support.Records;
import dev.kairos.feedback.support.SharedPostgres;
import dev.kairos.feedback.support.TestService;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.kairos.feedback.support.TestService.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dashboard and KPI queries against a slow database (PostgreSQL, the decisions table held by another
 * session, as a long migration or VACUUM FULL would): they cannot take ingestion's connections,
 * and past the query timeout they are answered 503 {@code query_timeout}.
 */
class KpiQueryLimitsApiTest {
    static final Instant T = Instant.now().minusSeconds(60);

    static Map<String, Object> postgres(String url, String timeout) {
        return Map.of("kairos.feedback.db-url", url, "kairos.feedback.db-user", "postgres",
                "kairos.feedback.recalibration.enabled", false, "kairos.feedback.db-pool-size", 2,
                "kairos.feedback.db-read-pool-size", 1, "kairos.feedback.query-timeout", timeout);
    }

    static Connection lockDecisions(String url) throws Exception {
        Connection c = DriverManager.getConnection(url, "postgres", null);
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE decisions IN ACCESS EXCLUSIVE MODE");
        }
        return c;
    }

    @Test
    void aQueryPastTheTimeoutIsAnswered503QueryTimeout() throws Exception {
        String url = SharedPostgres.newDatabase();
        try (TestService service = TestService.start(postgres(url, "1s")); Connection lock = lockDecisions(url)) {
            Http.Response slow = service.http.get("/v1/kpis", ADMIN_KEY);
            assertThat(slow.status()).isEqualTo(503);
            assertThat(slow.json().get("error").get("code").asText()).isEqualTo("query_timeout");
            assertThat(slow.headers().firstValue("Retry-After")).contains("30");
            assertThat(service.http.get("/v1/kpis/series", ADMIN_KEY).status()).isEqualTo(503);
            lock.rollback();
            assertThat(service.http.get("/v1/kpis", ADMIN_KEY).status()).as("once the table is free again").isEqualTo(200);
        }
    }

    @Test
    void outcomesAreStoredWhileMoreDashboardQueriesHangThanTheIngestionPoolHasConnections() throws Exception {
        String url = SharedPostgres.newDatabase();
        try (TestService service = TestService.start(postgres(url, "60s"))) {
            FeedbackStore store = service.store();
            String d = UUID.randomUUID().toString();
            service.send("outcomes", "u1", Records.outcome(d, "u1", T, "home_banner", "impression"));
            await().atMost(Duration.ofSeconds(60)).until(() -> store.count("outcomes") == 1);

            List<CompletableFuture<Http.Response>> hanging = new ArrayList<>();
            ExecutorService clients = Executors.newFixedThreadPool(4);
            try (Connection lock = lockDecisions(url)) {
                for (int i = 0; i < 4; i++) {
                    hanging.add(CompletableFuture.supplyAsync(() -> service.http.get("/v1/kpis", ADMIN_KEY), clients));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> count(lock, "SELECT COUNT(*) FROM pg_stat_activity "
                        + "WHERE wait_event_type = 'Lock' AND datname = current_database()") >= 1);
                service.send("outcomes", "u1", Records.outcome(d, "u1", T, "home_banner", "click"),
                        Records.outcome(UUID.randomUUID().toString(), "u2", T, "home_banner", "impression"));
                // Counted on the test's own connection: the service's read pool is taken by the hanging queries.
                await().atMost(Duration.ofSeconds(45)).until(() -> count(lock, "SELECT COUNT(*) FROM outcomes") == 3);
                assertThat(hanging).as("the dashboard queries were still waiting").noneMatch(CompletableFuture::isDone);
                lock.rollback();
            }
            for (CompletableFuture<Http.Response> r : hanging) {
                Http.Response response = r.get();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.json().get("total").get("impressions").asLong()).isEqualTo(2);
            }
            clients.shutdown();
        }
    }

    static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
