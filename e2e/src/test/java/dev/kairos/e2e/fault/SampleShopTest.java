package dev.kairos.e2e.fault;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app in samples/java-shop, run as its README says (its shaded jar, a write key in the
 * environment) against the real rules server on a real broker: every decision comes from the
 * server, every event is delivered, and the server knows the visitor afterwards. (In this package
 * for the {@link Platform} it shares with the fault tests.)
 */
class SampleShopTest {
    @Test
    void theSampleShopRunsAgainstTheRealServer(@TempDir Path data) throws Exception {
        Path jar = Platform.ROOT.resolve("samples/java-shop/target/kairos-sample-java-shop.jar");
        assertThat(jar).exists();
        try (Platform p = new Platform(data).startRules()) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-jar", jar.toString())
                    .redirectErrorStream(true);
            pb.environment().put("KAIROS_URL", "http://127.0.0.1:" + p.rulesPort);
            pb.environment().put("KAIROS_WRITE_KEY", Platform.WRITE_KEY);
            pb.environment().put("KAIROS_SAMPLE_USER", "sample-shopper");
            Process app = pb.start();
            String out = new String(app.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(app.waitFor(60, TimeUnit.SECONDS)).isTrue();
            Files.writeString(data.resolve("sample.log"), out);
            assertThat(app.exitValue()).as(out).isZero();
            assertThat(out).contains("delivered: true").contains("(SERVER)").doesNotContain("(DEFAULT)").doesNotContain("(CACHE)");

            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> r = Platform.get(p.rulesPort, "/v1/users/sample-shopper/signals", Platform.ADMIN_KEY);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(Platform.json(r.body()).get("events").asInt()).as("page, 3 views, 3 scrolls, search, identify, cart, checkout, purchase")
                        .isGreaterThanOrEqualTo(12);
                assertThat(Platform.json(r.body()).get("aliases").size()).as("the anonymous visit merged in").isEqualTo(1);
            });
        }
    }
}
