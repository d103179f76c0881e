package dev.kairos.feedback.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.kairos.feedback.guardrail.Webhook;
import dev.kairos.feedback.support.Records;
import dev.kairos.kafka.SharedBroker;
import dev.kairos.feedback.support.TestService;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.kairos.feedback.support.TestService.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cross-channel triggers from decision records to a local receiver: signed, once per idempotency
 * key, retried through a receiver outage, dead-lettered after the last attempt, and never sent past
 * an opt-out, a cool-down or the per-user rate limit.
 */
class TriggerDeliveryTest {
    static final String SECRET = "whsec_test";
    static final ObjectMapper JSON = new ObjectMapper();
    static TestService service;
    static HttpServer receiver;
    /** The answer for everyone but the users below. */
    static final AtomicInteger answer = new AtomicInteger(200);
    /** Requests per idempotency key, and the keys the receiver acted on (first valid request per key). */
    static final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();
    static final List<String> badSignatures = new CopyOnWriteArrayList<>();
    static final List<String> brandB = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
            requests.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            int status;
            if (!Webhook.signature(SECRET.getBytes(StandardCharsets.UTF_8), body).equals(ex.getRequestHeaders().getFirst("X-Kairos-Signature"))) {
                badSignatures.add(key);
                status = 401;
            } else {
                String user = JSON.readTree(body).path("userId").asText();
                status = user.equals("gone") ? 410 : user.equals("broken") ? 500 : answer.get();
                if (status == 200) effects.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        receiver.createContext("/brand-b", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            brandB.add(JSON.readTree(body).path("idempotencyKey").asText());
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        service = TestService.start(Map.of(
                "kairos.feedback.triggers.receivers", "brand_b=http://127.0.0.1:" + receiver.getAddress().getPort() + "/brand-b",
                "kairos.feedback.triggers.webhook-url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks",
                "kairos.feedback.triggers.webhook-secret", SECRET,
                "kairos.feedback.triggers.backoff", "100ms",
                "kairos.feedback.triggers.max-attempts", 4,
                "kairos.feedback.triggers.poll", "100ms",
                "kairos.feedback.triggers.rate-limit", "3/24h"));
    }

    @AfterAll
    static void stop() {
        service.close();
        receiver.stop(0);
    }

    /** A decision record of {@code user} at {@code at} emitting {@code channel}/{@code name} under {@code key}. */
    static void decide(String user, Instant at, String key, String channel, String name) {
        decide(user, at, key, channel, name, null);
    }

    /** The same, for the receiver a pack's triggers.yaml named. */
    static void decide(String user, Instant at, String key, String channel, String name, String receiver) {
        service.send("decisions", user, record(user, at, key, channel, name, receiver));
    }

    static String record(String user, Instant at, String key, String channel, String name, String receiver) {
        return Records.decision(UUID.randomUUID().toString(), user, at, "Cart reminder", "home_banner", false, null, 0.5)
                .replace("\"matchedRules\"", "\"triggers\":[{\"idempotencyKey\":\"" + key + "\",\"channel\":\"" + channel + "\",\"name\":\"" + name
                        + "\",\"rule\":\"Cart reminder\",\"reason\":\"cart left\",\"params\":{\"items\":\"4\"},\"cooldownSeconds\":259200"
                        + (receiver == null ? "" : ",\"receiver\":\"" + receiver + "\"") + "}],\"matchedRules\"");
    }

    static JsonNode deliveries(String user) throws Exception {
        return JSON.readTree(service.http.get("/v1/triggers?userKey=" + user, ADMIN_KEY).body()).get("deliveries");
    }

    static JsonNode delivery(String user, String key) throws Exception {
        for (JsonNode d : deliveries(user)) if (d.get("idempotencyKey").asText().equals(key)) return d;
        return null;
    }

    static void awaitStatus(String user, String key, String status) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonNode d = delivery(user, key);
            assertThat(d).as("delivery %s of %s", key, user).isNotNull();
            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo(status);
        });
    }

    @Test
    void aReceiverOutageIsRetriedThroughAndTheKeyTakesEffectOnceSignedAndDuplicatesAreNotSent() throws Exception {
        Instant now = Instant.now();
        answer.set(503);
        try {
            decide("u1", now, "k-outage", "email", "cart_reminder");
            await().atMost(Duration.ofSeconds(30)).until(() -> requests.containsKey("k-outage") && requests.get("k-outage").get() >= 2);
            assertThat(effects).doesNotContainKey("k-outage");
        } finally {
            answer.set(200);
        }
        awaitStatus("u1", "k-outage", "delivered");
        assertThat(delivery("u1", "k-outage").get("attempts").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(effects.get("k-outage").get()).isEqualTo(1);

        // the same trigger again (another decision within the period: the same key), then another user's as a barrier
        decide("u1", now.plusSeconds(60), "k-outage", "email", "cart_reminder");
        decide("u2", now, "k-barrier", "email", "cart_reminder");
        awaitStatus("u2", "k-barrier", "delivered");
        int sent = requests.get("k-outage").get();
        assertThat(deliveries("u1")).hasSize(1);
        assertThat(effects.get("k-outage").get()).isEqualTo(1);
        assertThat(requests.get("k-outage").get()).isEqualTo(sent);
        assertThat(badSignatures).isEmpty();

        // the next cool-down period's key, but only an hour later: the 72 h cool-down holds it back
        decide("u1", now.plusSeconds(3600), "k-next-period", "email", "cart_reminder");
        awaitStatus("u1", "k-next-period", "skipped");
        assertThat(delivery("u1", "k-next-period").get("detail").asText()).startsWith("cool-down 3d (email cart_reminder already sent for");
        assertThat(requests).doesNotContainKey("k-next-period");
    }

    @Test
    void theRateLimitPerUserAndOptOutsAreRespected() throws Exception {
        Instant now = Instant.now();
        for (int i = 1; i <= 4; i++) decide("u3", now.plusSeconds(i), "k-rate-" + i, "push", "nudge_" + i);
        awaitStatus("u3", "k-rate-4", "skipped");
        assertThat(delivery("u3", "k-rate-4").get("detail").asText()).isEqualTo("rate limit 3/24h (3 triggers for this user)");
        for (int i = 1; i <= 3; i++) awaitStatus("u3", "k-rate-" + i, "delivered");

        assertThat(service.http.putJson("/v1/opt-outs/u4", ADMIN_KEY, "{\"channels\": [\"sms\"]}").status()).isEqualTo(200);
        assertThat(service.http.putJson("/v1/opt-outs/u4", ADMIN_KEY, "{\"channels\": [\"fax\"]}").status()).isEqualTo(400);
        assertThat(service.http.putJson("/v1/opt-outs/u4", ADMIN_KEY, "{\"channels\": [\"sms\"], \"extra\": 1}").status()).isEqualTo(400);
        decide("u4", now, "k-opted-out", "sms", "reminder");
        decide("u4", now, "k-other-channel", "email", "reminder");
        awaitStatus("u4", "k-opted-out", "skipped");
        assertThat(delivery("u4", "k-opted-out").get("detail").asText()).isEqualTo("opted out of sms (api)");
        awaitStatus("u4", "k-other-channel", "delivered");
        assertThat(requests).doesNotContainKey("k-opted-out");

        // a receiver answering 410 Gone opts the user out of the channel
        decide("gone", now, "k-gone", "email", "reminder");
        awaitStatus("gone", "k-gone", "skipped");
        assertThat(JSON.readTree(service.http.get("/v1/opt-outs/gone", ADMIN_KEY).body()).get("optOuts").has("email")).isTrue();
        assertThat(service.http.delete("/v1/opt-outs/gone/email", ADMIN_KEY).status()).isEqualTo(200);
        assertThat(JSON.readTree(service.http.get("/v1/opt-outs/gone", ADMIN_KEY).body()).get("optOuts").size()).isZero();
    }

    @Test
    void aTriggerGoesToTheReceiverItsPackNamedAndAnUnknownReceiverKeepsItPending() throws Exception {
        // more undeliverable ones than a dispatch round looks at (50 to send, 200 scanned before), first in line: they must not hold the others up
        List<String> stuck = new ArrayList<>();
        for (int i = 0; i < 250; i++) stuck.add(record("stuck-" + i, Instant.now(), "k-stuck-" + i, "email", "welcome", "nobody"));
        service.send("decisions", "stuck", stuck.toArray(String[]::new));
        decide("brand-user", Instant.now(), "k-brand-b", "email", "welcome", "brand_b");
        decide("brand-user", Instant.now(), "k-nobody", "sms", "welcome", "nobody");
        awaitStatus("brand-user", "k-brand-b", "delivered");
        assertThat(brandB).containsExactly("k-brand-b");
        assertThat(requests).doesNotContainKey("k-brand-b");
        assertThat(delivery("brand-user", "k-nobody").get("status").asText()).isEqualTo("pending");
        assertThat(delivery("brand-user", "k-brand-b").get("receiver").asText()).isEqualTo("brand_b");
        assertThat(JSON.readTree(service.http.get("/v1/triggers", ADMIN_KEY).body()).get("receivers")).extracting(JsonNode::asText).containsExactly("brand_b");
    }

    @Test
    void aBackgroundEvaluationDeliversItsTriggersWithoutCountingAsADecision() throws Exception {
        long decisions = service.store().count("decisions");
        String record = Records.decision(UUID.randomUUID().toString(), "idle", Instant.now(), "Cart reminder", "background", false, null, 0.5)
                .replace("{\"schemaVersion\":1,", "{\"schemaVersion\":1,\"kind\":\"background\",")
                .replace("\"matchedRules\"", "\"triggers\":[{\"idempotencyKey\":\"k-idle\",\"channel\":\"email\",\"name\":\"cart_left\","
                        + "\"rule\":\"Cart reminder\",\"reason\":null,\"params\":{},\"cooldownSeconds\":3600}],\"matchedRules\"");
        service.send("decisions", "idle", record);
        awaitStatus("idle", "k-idle", "delivered");
        assertThat(service.store().count("decisions")).isEqualTo(decisions);
    }

    @Test
    void afterTheLastAttemptATriggerIsDeadAndOnTheDeadLetterTopic() throws Exception {
        decide("broken", Instant.now(), "k-dead", "email", "reminder");
        awaitStatus("broken", "k-dead", "dead");
        JsonNode d = delivery("broken", "k-dead");
        assertThat(d.get("attempts").asInt()).isEqualTo(4);
        assertThat(d.get("lastStatus").asInt()).isEqualTo(500);
        assertThat(requests.get("k-dead").get()).isEqualTo(4);
        List<String> dead = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "dlq-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(service.namespace + ".triggers.dead"));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) dead.add(r.value());
                return !dead.isEmpty();
            });
        }
        JsonNode record = JSON.readTree(dead.get(0));
        assertThat(record.get("idempotencyKey").asText()).isEqualTo("k-dead");
        assertThat(record.get("lastStatus").asInt()).isEqualTo(500);
        assertThat(record.get("error").asText()).startsWith("gave up after 4 attempts: HTTP 500");
        assertThat(record.get("trigger").get("name").asText()).isEqualTo("reminder");
        assertThat(service.http.get("/v1/triggers", dev.kairos.feedback.support.TestService.ADMIN_KEY).status()).isEqualTo(200);
    }
}
