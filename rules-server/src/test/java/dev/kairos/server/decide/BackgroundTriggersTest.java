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
 * A user who leaves with a full cart gets the rule's email without coming back: the background
 * sweep evaluates them once when a checkpoint after their last event passes, and logs the triggers
 * as a background decision record (nobody was shown anything).
 */
class BackgroundTriggersTest {
    @Test
    void anIdleUserIsEvaluatedOnceAtTheCheckpointAndOnlyTheTriggersAreLogged() throws Exception {
        try (TestServer server = TestServer.start(TestServer.newDataDir(), Map.of("kairos.triggers.background.interval", "200ms",
                "kairos.triggers.background.after", "1s"))) {
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
}
