package dev.kairos.feedback.store;

import dev.kairos.feedback.support.Http;
import dev.kairos.feedback.support.SharedPostgres;
import dev.kairos.feedback.support.TestService;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code store} health indicator against a real PostgreSQL: the database refusing connections (as
 * when it is stopped or restarted) turns {@code /health} DOWN within seconds, and its taking them again
 * turns it UP, without a {@code /health} call ever asking the database.
 */
class StoreHealthTest {
    @Test
    void healthIsDownWhileThePostgresDatabaseRefusesConnectionsAndUpOnceItTakesThemAgain() throws Exception {
        String url = SharedPostgres.newDatabase();
        String db = url.substring(url.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
        try (TestService service = TestService.start(Map.of("kairos.feedback.db-url", url, "kairos.feedback.db-user", "postgres",
                "kairos.feedback.recalibration.enabled", false, "kairos.feedback.store-probe.interval", "200ms"));
             Connection admin = DriverManager.getConnection(url.replace("/" + db, "/postgres"), "postgres", null)) {
            assertThat(service.http.get("/health", null).status()).isEqualTo(200);

            execute(admin, "ALTER DATABASE " + db + " ALLOW_CONNECTIONS false");
            execute(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db + "'");
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> service.http.get("/health", null).status() == 503);
            Http.Response down = service.http.get("/health", null);
            assertThat(down.body()).contains("\"status\":\"DOWN\"");

            execute(admin, "ALTER DATABASE " + db + " ALLOW_CONNECTIONS true");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> service.http.get("/health", null).status() == 200);
            assertThat(service.http.get("/health", null).body()).contains("\"status\":\"UP\"");
        }
    }

    private static void execute(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
