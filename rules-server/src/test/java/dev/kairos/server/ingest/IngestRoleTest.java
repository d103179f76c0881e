package dev.kairos.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.server.support.Events;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.TestServer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An ingest tier: an instance in the {@code ingest} environment (KAIROS_ROLE=ingest) beside one with the signal
 * engine, on the same topics. The ingest instance takes events without running the engine and is healthy;
 * the other folds what it accepted; what needs the engine's state is refused there with 421, not answered
 * without it.
 */
class IngestRoleTest {
    static TestServer full;
    static TestServer ingest;

    @BeforeAll
    static void start() {
        full = TestServer.start();
        ingest = TestServer.peer(full, Map.of(), IngestOnlyFilter.ENVIRONMENT);
    }

    @AfterAll
    static void stop() {
        if (ingest != null) ingest.close();
        if (full != null) full.close();
    }

    @Test
    void theIngestInstanceAcceptsEventsThatTheEngineElsewhereFolds() {
        assertThat(ingest.server.getApplicationContext().getBean(KafkaStreams.class).state())
                .as("no signal engine on the ingest instance").isEqualTo(KafkaStreams.State.CREATED);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(ingest.http.get("/health", null).status()).as("healthy without the engine").isEqualTo(200));

        Events batch = Events.batch();
        for (int i = 0; i < 3; i++) batch.add("tier-user", "product_view", "{\"productId\": \"p" + i + "\", \"category\": \"shoes\"}");
        batch.addAnonymous("tier-anon", "page_view", "{}");
        assertThat(ingest.http.postJson("/v1/events", WRITE_KEY, batch.json()).json().get("accepted").asInt()).isEqualTo(4);
        assertThat(ingest.http.postJson("/v1/outcomes", WRITE_KEY, "{\"batch\": [{\"decisionId\": \"d-tier\", \"placement\": \"home_banner\", "
                + "\"type\": \"impression\", \"userId\": \"tier-user\"}]}").json().get("accepted").asInt()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Http.Response r = full.http.get("/v1/users/tier-user/signals", ADMIN_KEY);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("events").asInt()).isEqualTo(3);
            assertThat(full.http.get("/v1/users/tier-anon/signals", ADMIN_KEY).status()).isEqualTo(200);
        });
    }

    @Test
    void whatNeedsTheEnginesStateIsMisdirectedThere() {
        String decide = "{\"userId\": \"tier-user\", \"placements\": [\"home_banner\"]}";
        Http.Response refused = ingest.http.postJson("/v1/decide", WRITE_KEY, decide);
        assertThat(refused.status()).isEqualTo(421);
        JsonNode error = refused.json().get("error");
        assertThat(error.get("code").asText()).isEqualTo("not_served_here");
        assertThat(error.get("message").asText()).contains("KAIROS_ROLE=ingest");
        assertThat(ingest.http.get("/v1/users/tier-user/signals", ADMIN_KEY).status()).isEqualTo(421);
        assertThat(ingest.http.get("/v1/users//tier-user/signals/", ADMIN_KEY).status()).as("any spelling of the path").isEqualTo(421);
        assertThat(ingest.http.get("/internal/signals/tier-user", ADMIN_KEY).status()).isEqualTo(421);
        assertThat(ingest.http.postJson("/v1/rules/why", ADMIN_KEY, decide).status()).isEqualTo(421);
        // Without a valid key: the 401 any instance answers, not what this one serves.
        assertThat(ingest.http.postJson("/v1/decide", null, decide).status()).isEqualTo(401);
        assertThat(ingest.http.postJson("/v1/decide", "wk_not_a_key", decide).status()).isEqualTo(401);
        assertThat(ingest.http.get("/v1/users/tier-user/signals", WRITE_KEY).status()).as("a write key on an admin path").isEqualTo(401);
        // Managing rules does not need the engine: served.
        assertThat(ingest.http.get("/v1/rules/versions", ADMIN_KEY).status()).isEqualTo(200);
        // And the instance with the engine decides as usual.
        assertThat(full.http.postJson("/v1/decide", WRITE_KEY, decide).status()).isEqualTo(200);
    }

    @Test
    void theRoleIsChosenByKairosRole() {
        assertThat(dev.kairos.server.Application.roleEnvironments(null)).isEmpty();
        assertThat(dev.kairos.server.Application.roleEnvironments("all")).isEmpty();
        assertThat(dev.kairos.server.Application.roleEnvironments(" ingest ")).containsExactly("ingest");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.kairos.server.Application.roleEnvironments("decide"))
                .hasMessageContaining("KAIROS_ROLE must be 'all' or 'ingest'");
    }
}
