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
            assertThat(Files.exists(service.dataDir.resolve("feedback/kairos.mv.db"))).isTrue();
        }
    }
}
