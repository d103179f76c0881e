package dev.kairos.server.signals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.server.support.Events;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances in partitioned signals mode on one broker (3 partitions): each holds only its
 * partitions' users, yet a decide or a signals read on either sees every user's current state —
 * asking the owner over the internal endpoint, which only instances (admin key) may call; an
 * identification whose two ids live on different partitions merges the profiles; and when one
 * instance goes, the other answers for all users within 30 s with no 5xx meanwhile. The same over
 * real JVMs and three brokers is e2e's ClusterTest.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PartitionedSignalsTest {
    static final int USERS = 24;
    static TestServer a;
    static TestServer b;
    static String addressA;
    static String addressB;

    @BeforeAll
    static void start() {
        a = TestServer.start(TestServer.newDataDir(), partitioned(freePort()));
        b = TestServer.peer(a, partitioned(freePort()));
        addressA = "127.0.0.1:" + a.server.getPort();
        addressB = "127.0.0.1:" + b.server.getPort();
    }

    @AfterAll
    static void stop() {
        if (b != null) b.close();
        if (a != null) a.close();
    }

    static Map<String, Object> partitioned(int port) {
        // The advertised address comes from the port by default (kairos.signals.advertised).
        return Map.of("micronaut.server.port", port, "kairos.signals.mode", "partitioned",
                "kafka.streams.default.consumer.session.timeout.ms", 6000,
                "kafka.streams.default.consumer.heartbeat.interval.ms", 1000);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String user(int i) {
        return "part-user-" + i;
    }

    static JsonNode signals(Http http, String user) {
        Http.Response r = http.get("/v1/users/" + user + "/signals", ADMIN_KEY);
        return r.status() == 200 ? r.json() : null;
    }

    /** The user's signals, failing as an assertion (which an await retries) until the instance has them. */
    static JsonNode present(Http http, String user) {
        JsonNode s = signals(http, user);
        assertThat(s).as("signals of " + user).isNotNull();
        return s;
    }

    static Http.Response decide(Http http, String user) {
        return http.postJson("/v1/decide", WRITE_KEY, "{\"userId\": \"" + user + "\", \"placements\": [\"product_page\"], "
                + "\"context\": {\"page\": \"/product/42\", \"device\": {\"type\": \"mobile\", \"os\": \"ios\"}}}");
    }

    @Test
    @Order(1)
    void eventsIngestedOnOneInstanceAreSeenByDecideOnTheOther() {
        Events batch = Events.batch();
        for (int i = 0; i < USERS; i++) {
            for (int v = 0; v < 5; v++) batch.add(user(i), "product_view", "{\"productId\": \"p" + v + "\", \"category\": \"dresses\"}");
            batch.add(user(i), "add_to_cart", "{\"productId\": \"p4\"}");
            for (int s = 0; s < 3; s++) batch.add(user(i), "scroll", "{\"depth\": 0." + (7 + s) + ", \"rapid\": true}");
        }
        assertThat(b.http.postJson("/v1/events", WRITE_KEY, batch.json()).json().get("accepted").asInt()).isEqualTo(USERS * 9);

        Map<String, String> heldBy = new HashMap<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            for (int i = 0; i < USERS; i++) {
                JsonNode s = signals(a.http, user(i));
                assertThat(s).as(user(i)).isNotNull();
                assertThat(s.get("events").asInt()).isEqualTo(9);
                heldBy.put(user(i), s.get("heldBy").asText());
            }
            // Once B has joined the group, both own some users: A answers some itself and asks B for the others.
            assertThat(new HashSet<>(heldBy.values())).containsExactlyInAnyOrder(addressA, addressB);
        });
        String remoteUser = heldBy.entrySet().stream().filter(e -> e.getValue().equals(addressB)).findFirst().orElseThrow().getKey();
        assertThat(present(a.http, remoteUser).get("source").asText()).isEqualTo("remote");

        Http.Response decided = decide(a.http, remoteUser);
        assertThat(decided.status()).as(decided.body()).isEqualTo(200);
        JsonNode d = decided.json();
        assertThat(d.get("adaptations").get(0).get("rule").asText()).isEqualTo("High intent on a product page: 24-hour premium discount");
        assertThat(d.get("explanation").has("signals")).as("read as usual: no flag").isFalse();
    }

    @Test
    @Order(2)
    void anIdentificationAcrossPartitionsMergesTheProfiles() {
        // Two ids on different partitions: find an anonymous id whose holder differs from the user's.
        String user = "part-identified";
        b.http.postJson("/v1/events", WRITE_KEY, Events.batch().add(user, "page_view", "{\"category\": \"home\"}").json());
        await().atMost(Duration.ofSeconds(30)).until(() -> signals(a.http, user) != null);
        String userHolder = present(a.http, user).get("heldBy").asText();
        String anonymous = null;
        for (int i = 0; i < 50 && anonymous == null; i++) {
            String candidate = "anon-part-" + i;
            b.http.postJson("/v1/events", WRITE_KEY, Events.batch()
                    .addAnonymous(candidate, "product_view", "{\"productId\": \"p1\", \"category\": \"shoes\"}")
                    .addAnonymous(candidate, "product_view", "{\"productId\": \"p2\", \"category\": \"shoes\"}").json());
            await().atMost(Duration.ofSeconds(30)).until(() -> signals(b.http, candidate) != null);
            if (!present(b.http, candidate).get("heldBy").asText().equals(userHolder)) anonymous = candidate;
        }
        assertThat(anonymous).as("an anonymous id on another instance's partition").isNotNull();

        String anon = anonymous;
        a.http.postJson("/v1/events", WRITE_KEY, Events.batch().addWithId(java.util.UUID.randomUUID().toString(),
                "\"userId\": \"" + user + "\", \"anonymousId\": \"" + anon + "\"", "identify", "{}").json());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonNode s = signals(b.http, user);
            assertThat(s.get("aliases")).extracting(JsonNode::asText).contains(anon);
            // page_view + identify + the two anonymous product views
            assertThat(s.get("events").asInt()).isEqualTo(4);
            assertThat(s.get("signals").get("productViewsByCategory").get("shoes").asInt()).isEqualTo(2);
        });
        // The anonymous id now reads as the identified user, from either instance.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(present(a.http, anon).get("userKey").asText()).isEqualTo(user);
            assertThat(present(b.http, anon).get("userKey").asText()).isEqualTo(user);
        });
        // Later anonymous-only events are re-keyed to the user by the signal engine.
        b.http.postJson("/v1/events", WRITE_KEY, Events.batch().addAnonymous(anon, "product_view", "{\"productId\": \"p3\", \"category\": \"shoes\"}").json());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(present(a.http, user).get("signals").get("productViewsByCategory").get("shoes").asInt()).isEqualTo(3));
    }

    @Test
    @Order(3)
    void theInternalEndpointIsForInstancesOnlyAndServesOnlyWhatItHolds() {
        assertThat(a.http.get("/internal/signals/" + user(0) + "?partition=0", null).status()).isEqualTo(401);
        assertThat(a.http.get("/internal/signals/" + user(0) + "?partition=0", WRITE_KEY).status()).isEqualTo(401);
        // Each user is served (200) by its active owner's partition only; every other partition or instance says 503 not_hosted.
        for (int i = 0; i < USERS; i++) {
            int served = 0;
            for (TestServer s : List.of(a, b)) {
                for (int p = 0; p < 3; p++) {
                    Http.Response r = s.http.get("/internal/signals/" + user(i) + "?partition=" + p, ADMIN_KEY);
                    if (r.status() == 200) {
                        served++;
                        assertThat(UserStateSerde.read(r.raw()).events).isEqualTo(9);
                    } else {
                        assertThat(r.status()).as(r.body()).isIn(404, 503);
                        if (r.status() == 503) assertThat(r.json().get("error").get("code").asText()).isEqualTo("not_hosted");
                    }
                }
            }
            assertThat(served).as(user(i) + " served by exactly one active partition").isEqualTo(1);
        }
    }

    @Test
    @Order(4)
    void whenAnInstanceGoesTheOtherAnswersForEveryUserWithoutErrors() {
        b.close();
        b = null;
        // At once: A's standby copies of B's partitions answer (flagged "standby"; "unavailable" if no
        // copy can be read for a moment of the rebalance); once the group notices B is gone (session
        // timeout) A owns every partition and the flag goes.
        Set<Integer> statuses = new HashSet<>();
        Set<String> flags = new HashSet<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            boolean allActive = true;
            for (int i = 0; i < USERS; i++) {
                Http.Response r = decide(a.http, user(i));
                statuses.add(r.status());
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                JsonNode explanation = r.json().get("explanation");
                if (explanation.has("signals")) {
                    flags.add(explanation.get("signals").asText());
                    allActive = false;
                }
                // Whatever copy answered, it had the user's signals (an unknown user gets the default).
                assertThat(r.json().get("adaptations").get(0).get("fallback").asBoolean()).as(r.body()).isFalse();
            }
            assertThat(allActive).as("A active for every user").isTrue();
            for (int i = 0; i < USERS; i++) {
                JsonNode s = signals(a.http, user(i));
                assertThat(s).as(user(i)).isNotNull();
                assertThat(s.get("events").asInt()).isEqualTo(9);
                assertThat(s.get("heldBy").asText()).isEqualTo(addressA);
                assertThat(s.get("source").asText()).isEqualTo("local");
            }
        });
        assertThat(statuses).containsOnly(200);
        assertThat(flags).isSubsetOf("standby", "unavailable");
    }
}
