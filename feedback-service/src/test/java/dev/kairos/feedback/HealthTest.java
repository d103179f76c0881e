package dev.kairos.feedback;

import dev.kairos.feedback.support.Http;
import dev.kairos.feedback.support.TestService;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

class HealthTest {
    @Test
    void answersHealthWithUpAndKeepsTheEmbeddedStoreUnderTheDataFolder() {
        try (TestService service = TestService.start()) {
            Http.Response r = service.http.get("/health", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("\"status\":\"UP\"");
            assertThat(service.http.get("/health/liveness", null).status()).isEqualTo(200);
            // Deadlocks are looked for in the background (DeadlockHealth), not by a JVM-wide safepoint per /health call.
            assertThat(service.server.getApplicationContext().getBeansOfType(io.micronaut.management.health.indicator.HealthIndicator.class))
                    .extracting(b -> b.getClass().getSimpleName())
                    .contains("DeadlockHealth", "StoreHealth").doesNotContain("DeadlockedThreadsHealthIndicator");
            assertThat(Files.exists(service.dataDir.resolve("feedback/kairos.mv.db"))).isTrue();

            // The dashboard page is public (it asks for a key) but may not be framed by another site.
            Http.Response page = service.http.get("/", null);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
                    .contains("frame-ancestors 'none'").contains("script-src 'self'");

            // Metrics and anything that is not the dashboard or /health need the key, like rules-server's.
            assertThat(service.http.get("/metrics", null).status()).isEqualTo(401);
            assertThat(service.http.get("/metrics/jvm.memory.used", null).status()).isEqualTo(401);
            assertThat(service.http.get("//metrics", null).status()).isEqualTo(401);
            assertThat(service.http.get("/no-such-path", null).status()).isEqualTo(401);
            Http.Response metrics = service.http.get("/metrics", TestService.ADMIN_KEY);
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body()).contains("kairos.feedback.decisions", "kairos.feedback.facts.not.kept");
        }
    }
}
