package dev.kairos.server.decide;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.server.support.Events;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.SharedKafka;
import dev.kairos.server.support.TestServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Learning and triggers in a running server (one server for both, to keep the suite short).
 * A user who leaves with a full cart gets the rule's email without coming back: the background
 * sweep evaluates them once when a checkpoint after their last event passes, and logs the triggers
 * as a background decision record (nobody was shown anything).
 */
class BackgroundTriggersTest {
    static TestServer server;

    @org.junit.jupiter.api.BeforeAll
    static void start() {
        server = TestServer.start(TestServer.newDataDir(), Map.of("kairos.triggers.background.interval", "200ms",
                "kairos.triggers.background.after", "1s", "kairos.exploration.epsilon", 0, "kairos.exploration.placements", "explore_everything=1"));
    }

    @org.junit.jupiter.api.AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void anIdleUserIsEvaluatedOnceAtTheCheckpointAndOnlyTheTriggersAreLogged() throws Exception {
        {
            Http http = server.http;
            Http.Response uploaded = http.post("/v1/rules/versions?name=cart.drl", ADMIN_KEY, "text/plain", """
                    package acme.cart;
                    rule "Cart left behind: email"
                    when
                        Profile( cartItems > 0 )
                        Placement( name == "background" )
                    then
                        trigger("email", "cart_left").cooldown("1h");
                    end
                    """);
            assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(201);
            String id = uploaded.json().get("id").asText();
            assertThat(http.postJson("/v1/rules/versions/" + id + "/activate", ADMIN_KEY, "{}").status()).isEqualTo(200);
            assertThat(http.postJson("/v1/events", WRITE_KEY, Events.batch()
                    .add("bg-cart", "add_to_cart", "{\"productId\": \"p1\"}")
                    .add("bg-browse", "page_view", "{}").json()).status()).isEqualTo(200);

            List<JsonNode> background = new ArrayList<>();
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
                // assigned, not subscribed: no consumer group to join
                List<org.apache.kafka.common.TopicPartition> partitions = c.partitionsFor(server.namespace + ".decisions").stream()
                        .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
                c.assign(partitions);
                c.seekToBeginning(partitions);
                await().atMost(Duration.ofSeconds(45)).until(() -> {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                        JsonNode n = new ObjectMapper().readTree(r.value());
                        if ("background".equals(n.path("kind").asText())) background.add(n);
                    }
                    return !background.isEmpty();
                });
                // a few more sweeps: the checkpoint has passed, nobody is evaluated again
                Thread.sleep(1000);
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    JsonNode n = new ObjectMapper().readTree(r.value());
                    if ("background".equals(n.path("kind").asText())) background.add(n);
                }
            }
            assertThat(background).as("one user with a cart, evaluated once").hasSize(1);
            JsonNode record = background.get(0);
            assertThat(record.get("userId").asText()).isEqualTo("bg-cart");
            assertThat(record.at("/triggers/0/name").asText()).isEqualTo("cart_left");
            assertThat(record.at("/triggers/0/idempotencyKey").asText()).hasSize(32);
            assertThat(record.at("/placements/0").asText()).isEqualTo("background");
        }
    }

    /**
     * choose(...) in a running server: the first value until a model is published on the bandit
     * topic, then the model's pick, with the choice, its propensity and the model version in the answer;
     * a placement whose exploration bound is 1 always explores.
     */
    @Test
    void decisionsFollowThePublishedModelAndCarryTheirChoices() {
        {
            Http http = server.http;
            Http.Response uploaded = http.post("/v1/rules/versions?name=offer.drl", ADMIN_KEY, "text/plain", """
                    package acme.offer;
                    rule "Offer"
                    when $p : Placement()
                    then adapt($p).content("deals").cta(choose("ctaA", "ctaB", "ctaC"));
                    end
                    rule "Best call to action in the push"
                    salience 10
                    when $n : NextBestAction( placement == "home_banner" ) $p : Placement( name == "push" )
                    then adapt($p).content("push").cta($n.getValue());
                    end
                    """);
            assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(201);
            assertThat(http.postJson("/v1/rules/versions/" + uploaded.json().get("id").asText() + "/activate", ADMIN_KEY, "{}").status()).isEqualTo(200);
            String request = "{\"userId\": \"b1\", \"placements\": [\"home_banner\"]}";
            JsonNode first = http.postJson("/v1/decide", WRITE_KEY, request).json().get("adaptations").get(0);
            assertThat(first.get("cta").asText()).isEqualTo("ctaA");
            assertThat(first.at("/choices/0/model").asText()).isEqualTo("none");
            assertThat(first.get("propensity").asDouble()).isEqualTo(1.0);

            try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                p.send(new ProducerRecord<>(server.namespace + ".bandit", "Offer#1", """
                        {"point": "Offer#1", "version": "b42", "arms": ["ctaA", "ctaB", "ctaC"],
                         "coefficients": [[0.05], [0.10], [0.30]], "samples": [100, 100, 100], "placements": ["home_banner"]}""")).get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> "ctaC".equals(http.postJson("/v1/decide", WRITE_KEY, request).json().at("/adaptations/0/cta").asText()));
            JsonNode learned = http.postJson("/v1/decide", WRITE_KEY, request).json().get("adaptations").get(0);
            assertThat(learned.at("/choices/0/point").asText()).isEqualTo("Offer#1");
            assertThat(learned.at("/choices/0/model").asText()).isEqualTo("b42");
            assertThat(learned.at("/choices/0/explored").asBoolean()).isFalse();
            assertThat(learned.get("propensity").asDouble()).isEqualTo(1.0);
            JsonNode push = http.postJson("/v1/decide", WRITE_KEY, "{\"userId\": \"b1\", \"placements\": [\"push\"]}").json().get("adaptations").get(0);
            assertThat(push.get("rule").asText()).as("the next best action learned on home_banner").isEqualTo("Best call to action in the push");
            assertThat(push.get("cta").asText()).isEqualTo("ctaC");

            JsonNode explored = http.postJson("/v1/decide", WRITE_KEY, "{\"userId\": \"b2\", \"placements\": [\"explore_everything\"]}").json()
                    .get("adaptations").get(0);
            assertThat(explored.at("/choices/0/explored").asBoolean()).isTrue();
            assertThat(explored.get("propensity").asDouble()).isCloseTo(1 / 3.0, org.assertj.core.api.Assertions.within(1e-9));
        }
    }

    /**
     * Learned user models in a running server: a user the signal engine knows gets the churn prior
     * until a churn model is published; the published conversion and churn models replace the priors
     * (a request's own conversionProbability still wins); published segments put the user in
     * {@code Segment("ml_<id>")}. Rules see all of it as facts.
     */
    @Test
    void publishedPredictorsAndSegmentsBecomeFacts() throws Exception {
        Http http = server.http;
        Http.Response uploaded = http.post("/v1/rules/versions?name=learned.drl", ADMIN_KEY, "text/plain", """
                package acme.learned;
                rule "Likely buyer" when Signals( conversionProbability > 0.9 ) $p : Placement( name == "buy" )
                then adapt($p).content("likely"); end
                rule "Churn risk" when Signals( churnRisk > 0.9 ) $p : Placement( name == "stay" )
                then adapt($p).content("winback"); end
                rule "Low churn" when Signals( churnRisk > 0.0, churnRisk < 0.9 ) $p : Placement( name == "stay" )
                then adapt($p).content("prior"); end
                rule "Cluster 7" when Segment( name == "ml_7" ) $p : Placement( name == "segment" )
                then adapt($p).content("cluster7"); end
                """);
        assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(201);
        assertThat(http.postJson("/v1/rules/versions/" + uploaded.json().get("id").asText() + "/activate", ADMIN_KEY, "{}").status()).isEqualTo(200);
        assertThat(http.postJson("/v1/events", WRITE_KEY, Events.batch().add("ml-user", "page_view", "{}").json()).status()).isEqualTo(200);
        String request = "{\"userId\": \"ml-user\", \"placements\": [\"buy\", \"stay\", \"segment\"]}";
        await().atMost(Duration.ofSeconds(20)).until(() -> "prior".equals(content(http.postJson("/v1/decide", WRITE_KEY, request).json(), "stay")));
        JsonNode before = http.postJson("/v1/decide", WRITE_KEY, request).json();
        assertThat(content(before, "buy")).as("the conversion prior of one page view is low").isNotEqualTo("likely");
        assertThat(content(before, "segment")).isNotEqualTo("cluster7");

        String features = new ObjectMapper().writeValueAsString(dev.kairos.rules.learn.Predictors.NAMES);
        String zeros = ", 0".repeat(dev.kairos.rules.learn.Predictors.NAMES.size() - 1);
        String centroid = "0" + ", 0".repeat(dev.kairos.rules.learn.Predictors.NAMES.size() - 2);
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(server.namespace + ".bandit", "predictor:conversion",
                    "{\"kind\": \"conversion\", \"version\": \"c1\", \"features\": " + features + ", \"coefficients\": [8" + zeros + "]}")).get();
            p.send(new ProducerRecord<>(server.namespace + ".bandit", "predictor:churn",
                    "{\"kind\": \"churn\", \"version\": \"k1\", \"features\": " + features + ", \"coefficients\": [8" + zeros + "]}")).get();
            p.send(new ProducerRecord<>(server.namespace + ".bandit", "segments",
                    "{\"version\": \"s1\", \"clusters\": [{\"id\": 7, \"label\": \"typical\", \"centroid\": [" + centroid + "]}]}")).get();
            // a model for features this server does not know is ignored
            p.send(new ProducerRecord<>(server.namespace + ".bandit", "predictor:conversion",
                    "{\"kind\": \"conversion\", \"version\": \"c-bad\", \"features\": [\"bias\"], \"coefficients\": [-8]}")).get();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> "cluster7".equals(content(http.postJson("/v1/decide", WRITE_KEY, request).json(), "segment")));
        JsonNode after = http.postJson("/v1/decide", WRITE_KEY, request).json();
        assertThat(content(after, "buy")).isEqualTo("likely");
        JsonNode inUse = http.get("/v1/models", ADMIN_KEY).json();
        assertThat(inUse.get("conversion").asText()).as("the bad model was ignored").isEqualTo("c1");
        assertThat(inUse.get("churn").asText()).isEqualTo("k1");
        assertThat(inUse.get("segments").asText()).isEqualTo("s1");
        assertThat(http.get("/v1/models", WRITE_KEY).status()).as("admin only").isEqualTo(401);
        assertThat(content(after, "stay")).isEqualTo("winback");
        JsonNode own = http.postJson("/v1/decide", WRITE_KEY,
                "{\"userId\": \"ml-user\", \"placements\": [\"buy\"], \"signals\": {\"conversionProbability\": 0.1}}").json();
        assertThat(content(own, "buy")).as("the request's own value wins").isNotEqualTo("likely");
        JsonNode stranger = http.postJson("/v1/decide", WRITE_KEY, "{\"userId\": \"never-seen\", \"placements\": [\"segment\", \"buy\"]}").json();
        assertThat(content(stranger, "segment")).as("segments are assigned to everyone").isEqualTo("cluster7");
        assertThat(content(stranger, "buy")).as("predictors score users the signal engine knows").isNotEqualTo("likely");
    }

    static String content(JsonNode decision, String placement) {
        for (JsonNode a : decision.get("adaptations")) if (placement.equals(a.get("placement").asText())) return a.path("contentId").asText(null);
        return null;
    }
}
