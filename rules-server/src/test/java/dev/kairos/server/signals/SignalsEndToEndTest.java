package dev.kairos.server.signals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.server.support.Events;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Events posted to the real broker become signals that change what /v1/decide answers. */
class SignalsEndToEndTest {
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode decideProductPage(String user) {
        Http.Response r = http.postJson("/v1/decide", WRITE_KEY, "{\"userId\": \"" + user + "\", \"placements\": [\"product_page\"], "
                + "\"context\": {\"page\": \"/product/42\", \"device\": {\"type\": \"mobile\", \"os\": \"ios\"}}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static JsonNode signals(String user) {
        Http.Response r = http.get("/v1/users/" + user + "/signals", ADMIN_KEY);
        return r.status() == 200 ? r.json() : null;
    }

    /** The user's signals, failing as an assertion (which an await retries) until the engine has them. */
    static JsonNode present(String user) {
        JsonNode s = signals(user);
        assertThat(s).as("signals of " + user).isNotNull();
        return s;
    }

    @Test
    void rapidScrollsAndProductViewsMakeTheHighIntentOfferAppear() {
        String user = "e2e-shopper";
        assertThat(decideProductPage(user).get("adaptations").get(0).get("fallback").asBoolean()).as("unknown user: default").isTrue();

        Events batch = Events.batch();
        for (int i = 0; i < 5; i++) batch.add(user, "product_view", "{\"productId\": \"p" + i + "\", \"category\": \"dresses\"}");
        batch.add(user, "add_to_cart", "{\"productId\": \"p4\"}");
        for (int i = 0; i < 3; i++) batch.add(user, "scroll", "{\"depth\": 0." + (7 + i) + ", \"rapid\": true}");
        Http.Response posted = http.postJson("/v1/events", WRITE_KEY, batch.json());
        assertThat(posted.json().get("accepted").asInt()).isEqualTo(9);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            JsonNode a = decideProductPage(user).get("adaptations").get(0);
            assertThat(a.get("rule").asText()).isEqualTo("High intent on a product page: 24-hour premium discount");
        });
        JsonNode s = signals(user);
        assertThat(s.get("events").asInt()).isEqualTo(9);
        JsonNode sig = s.get("signals");
        assertThat(sig.get("rapidScrollBursts").asInt()).isEqualTo(1);
        assertThat(sig.get("productViews").asInt()).isEqualTo(5);
        assertThat(sig.get("cartItems").asInt()).isEqualTo(1);
        assertThat(sig.get("scrollDepth").asDouble()).isEqualTo(0.9);
        assertThat(sig.get("intentScore").asDouble()).isGreaterThan(0.8);
        JsonNode decision = decideProductPage(user);
        assertThat(decision.get("explanation").get("placements").get("product_page").get("candidates"))
                .extracting(c -> c.get("rule").asText()).contains("Styling intent: customers also loved");
    }

    /** The sum of the Prometheus series {@code name} (no labels) on the server, 0 when absent. */
    static double metric(String name) {
        double sum = 0;
        for (String line : http.get("/prometheus", null).body().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return sum;
    }

    @Test
    void theEngineReportsHowLongAnEventTookFromIngestToItsFold() {
        String user = "e2e-delay";
        double before = metric("kairos_signals_delay_seconds_count");
        Events batch = Events.batch();
        for (int i = 0; i < 4; i++) batch.add(user, "page_view", "{\"category\": \"news\"}");
        assertThat(http.postJson("/v1/events", WRITE_KEY, batch.json()).json().get("accepted").asInt()).isEqualTo(4);
        await().atMost(Duration.ofSeconds(30)).until(() -> signals(user) != null && signals(user).get("events").asInt() == 4);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(metric("kairos_signals_delay_seconds_count") - before).isGreaterThanOrEqualTo(4));
        // Buckets are published for percentiles, and the whole trip took less than the time this test waited.
        assertThat(metric("kairos_signals_delay_seconds_bucket")).isPositive();
        assertThat(metric("kairos_signals_delay_seconds_max")).isBetween(0.0, 40.0);
    }

    @Test
    void everyRocksDbStoreSharesOneBoundedCache() {
        // The stores are open once the engine runs (the first test's events, or these).
        http.postJson("/v1/events", WRITE_KEY, Events.batch().add("e2e-rocksdb", "page_view", "{}").json());
        await().atMost(Duration.ofSeconds(30)).until(() -> signals("e2e-rocksdb") != null);
        assertThat(RocksDbMemory.memory()).as("the setter ran, with application.yml's default").isEqualTo(256L << 20);
        // Kafka Streams' own RocksDB metrics see the shared cache (its default is 50 MiB per store).
        java.util.List<Double> capacities = http.get("/prometheus", null).body().lines().filter(l -> l.startsWith("kafka_streams_block_cache_capacity"))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).toList();
        assertThat(capacities).isNotEmpty().allMatch(c -> c == 256.0 * (1 << 20));
    }

    @Test
    void duplicateEventsAreCountedOnce() {
        String user = "e2e-dup";
        Events batch = Events.batch().add(user, "page_view", "{}").add(user, "page_view", "{}");
        http.postJson("/v1/events", WRITE_KEY, batch.json());
        // The same events again, as an SDK retry through another instance would send them: bypass
        // this instance's duplicate cache by re-posting the raw items in a new batch order.
        Events retry = Events.batch();
        retry.addWithId(batch.ids().get(1), "\"userId\": \"" + user + "\"", "page_view", "{}");
        retry.addWithId(batch.ids().get(0), "\"userId\": \"" + user + "\"", "page_view", "{}");
        http.postJson("/v1/events", WRITE_KEY, retry.json());
        http.postJson("/v1/events", WRITE_KEY, Events.batch().add(user, "task_created", "{}").json());
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode s = signals(user);
            return s != null && s.get("signals").get("tasksCreated").asInt() == 1;
        });
        assertThat(present(user).get("events").asInt()).isEqualTo(3);
        assertThat(present(user).get("signals").get("pageViews").asInt()).isEqualTo(2);
    }

    @Test
    void anAnonymousVisitorWhoIdentifiesKeepsTheirHistory() {
        String anon = "anon-7f3";
        String user = "e2e-identified";
        Events before = Events.batch();
        for (int i = 0; i < 3; i++) before.addAnonymous(anon, "product_view", "{\"productId\": \"d" + i + "\", \"category\": \"dresses\"}");
        before.addAnonymous(anon, "add_to_cart", "{\"productId\": \"d1\", \"quantity\": 2}");
        http.postJson("/v1/events", WRITE_KEY, before.json());
        await().atMost(Duration.ofSeconds(30)).until(() -> signals(anon) != null && signals(anon).get("events").asInt() == 4);

        Events identify = Events.batch().addWithId(java.util.UUID.randomUUID().toString(),
                "\"userId\": \"" + user + "\", \"anonymousId\": \"" + anon + "\"", "identify", "{}");
        http.postJson("/v1/events", WRITE_KEY, identify.json());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode s = signals(user);
            assertThat(s).isNotNull();
            assertThat(s.get("aliases")).extracting(JsonNode::asText).contains(anon);
            assertThat(s.get("signals").get("cartItems").asInt()).isEqualTo(2);
            assertThat(s.get("signals").get("productViewsByCategory").get("dresses").asInt()).isEqualTo(3);
        });
        // Later events sent only with the anonymous id land in the identified profile, and the
        // anonymous id answers with the identified user's signals.
        http.postJson("/v1/events", WRITE_KEY, Events.batch().addAnonymous(anon, "task_created", "{}").json());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(present(user).get("signals").get("tasksCreated").asInt()).isEqualTo(1));
        assertThat(present(anon).get("userKey").asText()).isEqualTo(user);

        // An event still keyed by the anonymous id (in flight during the identify, or written by
        // another producer) is re-keyed to the user and does not overwrite the alias.
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(java.util.Map.of(
                "bootstrap.servers", dev.kairos.server.support.SharedKafka.bootstrapServers()),
                new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.StringSerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(server.namespace + ".events", anon,
                    "{\"eventId\": \"" + java.util.UUID.randomUUID() + "\", \"type\": \"task_created\", \"anonymousId\": \"" + anon
                            + "\", \"receivedAt\": " + System.currentTimeMillis() + ", \"properties\": {}}")).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(present(user).get("signals").get("tasksCreated").asInt()).isEqualTo(2));
        assertThat(present(anon).get("userKey").asText()).as("the alias still stands").isEqualTo(user);
    }

    @Test
    void erasingAnAnonymousIdUnlinksItAndErasingTheUserForgetsTheRest() {
        String anon = "anon-erase-" + java.util.UUID.randomUUID();
        String user = "erase-user-" + java.util.UUID.randomUUID();
        http.postJson("/v1/events", WRITE_KEY, Events.batch().addAnonymous(anon, "add_to_cart", "{\"productId\": \"d1\"}").json());
        http.postJson("/v1/events", WRITE_KEY, Events.batch().addWithId(java.util.UUID.randomUUID().toString(),
                "\"userId\": \"" + user + "\", \"anonymousId\": \"" + anon + "\"", "identify", "{}").json());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(present(user).get("aliases")).extracting(JsonNode::asText).contains(anon));

        Http.Response erased = http.delete("/v1/users/" + anon, ADMIN_KEY);
        assertThat(erased.status()).as(erased.body()).isEqualTo(202);
        assertThat(erased.json().get("requestId").asText()).isNotBlank();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(http.get("/v1/users/" + anon + "/signals", ADMIN_KEY).status()).isEqualTo(404);
            JsonNode s = signals(user);
            assertThat(s.get("aliases")).as("the user no longer names the erased id").isEmpty();
            assertThat(s.get("signals").get("cartItems").asInt()).as("the merged history stays the user's").isEqualTo(1);
        });

        assertThat(http.delete("/v1/users/" + user, WRITE_KEY).status()).as("an app key cannot erase").isEqualTo(401);
        assertThat(http.delete("/v1/users/" + user, ADMIN_KEY).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(http.get("/v1/users/" + user + "/signals", ADMIN_KEY).status()).isEqualTo(404));
        assertThat(http.delete("/v1/users/" + "x".repeat(300), ADMIN_KEY).status()).isEqualTo(400);
    }

    @Test
    void requestSignalsWinOverStoredOnes() {
        String user = "e2e-override";
        http.postJson("/v1/events", WRITE_KEY, Events.batch().add(user, "purchase_failed", "{}").json());
        await().atMost(Duration.ofSeconds(30)).until(() -> signals(user) != null);
        Http.Response r = http.postJson("/v1/decide", WRITE_KEY, "{\"userId\": \"" + user + "\", \"placements\": [\"in_app_message\"], "
                + "\"signals\": {\"failedPurchasesInRow\": 5}}");
        assertThat(r.json().get("adaptations").get(0).get("rule").asText()).isEqualTo("Disinterest after 5 failed purchases: offer help");
    }

    @Test
    void segmentsComputedFromStoredHistoryAreFacts() {
        String user = "e2e-cart";
        http.postJson("/v1/events", WRITE_KEY, Events.batch().add(user, "add_to_cart", "{\"productId\": \"x\"}").json());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode d = http.postJson("/v1/decide", WRITE_KEY, "{\"userId\": \"" + user + "\", \"placements\": [\"home_banner\"]}").json();
            assertThat(d.get("segments")).extracting(JsonNode::asText).contains("cart_no_purchase_24h");
        });
    }
    @Test
    void frequencyCapsCountTheImpressionsTheAppReported() {
        String user = "e2e-night-owl";
        String request = "{\"userId\": \"" + user + "\", \"placements\": [\"home_banner\"], \"context\": {\"timezone\": \"UTC\", "
                + "\"timestamp\": \"" + java.time.LocalDate.now(java.time.ZoneOffset.UTC) + "T01:30:00Z\"}, \"signals\": {\"lastSearch\": \"pizza delivery\"}}";
        JsonNode first = http.postJson("/v1/decide", WRITE_KEY, request).json();
        assertThat(first.get("adaptations").get(0).get("rule").asText()).isEqualTo("Late-night snack recommendation");
        String decisionId = first.get("decisionId").asText();
        StringBuilder outcomes = new StringBuilder("{\"batch\": [");
        for (int i = 0; i < 3; i++) {
            if (i > 0) outcomes.append(',');
            outcomes.append("{\"outcomeId\": \"").append(java.util.UUID.randomUUID()).append("\", \"decisionId\": \"").append(decisionId)
                    .append("\", \"placement\": \"home_banner\", \"type\": \"impression\", \"userId\": \"").append(user)
                    .append("\", \"rule\": \"Late-night snack recommendation\"}");
        }
        outcomes.append("]}");
        assertThat(http.postJson("/v1/outcomes", WRITE_KEY, outcomes.toString()).json().get("accepted").asInt()).isEqualTo(3);
        // the signal engine counts them into the user's exposures; the fourth time the rule does not win
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonNode d = http.postJson("/v1/decide", WRITE_KEY, request).json();
            assertThat(d.get("adaptations").get(0).get("rule").asText()).isEqualTo("Default home banner");
            assertThat(d.get("explanation").toString()).contains("suppressed: frequencyCap 3/24h (3 impressions in the last 24h)");
        });
        assertThat(http.postJson("/v1/decide", WRITE_KEY, request.replace(user, "e2e-other-owl")).json()
                .get("adaptations").get(0).get("rule").asText()).as("another user is not capped").isEqualTo("Late-night snack recommendation");
    }
}
