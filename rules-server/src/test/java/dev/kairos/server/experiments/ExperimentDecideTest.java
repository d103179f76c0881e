package dev.kairos.server.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.SharedKafka;
import dev.kairos.server.support.TestServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two experiments end to end: a variant rule changes only its users' content, a holdout gets defaults, the log carries the variants. */
class ExperimentDecideTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PACK = """
            package marketing.ab;

            rule "Banner copy B"
            when
                $v : Variant( experiment == "banner_copy", name == "copy_b" )
                $p : Placement( name == "home_banner" )
            then
                adapt($p).content("spring-sale").cta($v.param("cta")).priority(5);
            end

            rule "Banner for everyone"
            when
                $p : Placement( name == "home_banner" )
            then
                adapt($p).content("spring-sale").cta("Shop the sale").priority(1);
            end

            rule "Default banner"
                salience -100
            when
                $p : Placement( name == "home_banner" )
            then
                fallback($p).content("home-featured").cta("Discover");
            end

            rule "Cart banner copy B"
            when
                Variant( experiment == "cta_copy", name == "b" )
                $p : Placement( name == "cart_banner" )
            then
                adapt($p).content("cart-reminder").cta("Check out now").priority(5);
            end

            rule "Default cart banner"
                salience -100
            when
                $p : Placement( name == "cart_banner" )
            then
                fallback($p).content("cart-reminder").cta("View cart");
            end
            """;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
        Http.Response up = http.post("/v1/rules/versions?name=ab.drl", ADMIN_KEY, "text/plain", PACK);
        assertThat(up.status()).as(up.body()).isEqualTo(201);
        assertThat(http.postJson("/v1/rules/versions/" + up.json().get("id").asText() + "/activate", ADMIN_KEY, "{}").status()).isEqualTo(200);
        Http.Response e = http.putJson("/v1/experiments/banner_copy", ADMIN_KEY, """
                {"variants": [{"name": "control", "weight": 1}, {"name": "copy_b", "weight": 1}], "holdout": 20,
                 "params": {"copy_b": {"cta": "Grab 20% off today"}}}
                """);
        assertThat(e.status()).as(e.body()).isEqualTo(201);
        // A second experiment, running at the same time on another placement, without a holdout.
        Http.Response cta = http.putJson("/v1/experiments/cta_copy", ADMIN_KEY, """
                {"variants": [{"name": "control", "weight": 1}, {"name": "b", "weight": 1}]}
                """);
        assertThat(cta.status()).as(cta.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode decide(String user) {
        Http.Response r = http.postJson("/v1/decide", WRITE_KEY, "{\"userId\": \"" + user + "\", \"placements\": [\"home_banner\", \"cart_banner\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void eachGroupGetsItsOwnContentAndKeepsIt() {
        Map<String, Integer> seen = new HashMap<>();
        for (int u = 0; u < 160; u++) {
            JsonNode d = decide("user-" + u);
            String banner = d.get("variants").get("banner_copy").asText();
            String cta = d.get("variants").get("cta_copy").asText();
            // The single-experiment field is the first experiment by name.
            assertThat(d.get("variant").asText()).isEqualTo("banner_copy:" + banner);
            JsonNode home = d.get("adaptations").get(0);
            JsonNode cart = d.get("adaptations").get(1);
            seen.merge(banner + "/" + cta, 1, Integer::sum);
            switch (banner) {
                case "copy_b" -> {
                    assertThat(home.get("rule").asText()).isEqualTo("Banner copy B");
                    assertThat(home.get("cta").asText()).isEqualTo("Grab 20% off today");
                }
                case "control" -> {
                    assertThat(home.get("rule").asText()).isEqualTo("Banner for everyone");
                    assertThat(home.get("cta").asText()).isEqualTo("Shop the sale");
                }
                case "holdout" -> {
                    // Only pack defaults, although "Banner for everyone" matched too.
                    assertThat(home.get("rule").asText()).isEqualTo("Default banner");
                    assertThat(home.get("fallback").asBoolean()).isTrue();
                    assertThat(d.get("explanation").get("placements").get("home_banner").get("why").asText()).startsWith("holdout");
                }
                default -> throw new AssertionError("unexpected variant " + banner);
            }
            // cta_copy's own rule fires for its variant b, except for users in banner_copy's holdout,
            // whose whole decision is pack defaults only.
            if (cta.equals("b") && !banner.equals("holdout")) {
                assertThat(cart.get("rule").asText()).isEqualTo("Cart banner copy B");
            } else {
                assertThat(cta).isIn("control", "b");
                assertThat(cart.get("rule").asText()).isEqualTo("Default cart banner");
            }
            // Sticky: asking again answers the same.
            assertThat(decide("user-" + u).get("variants")).isEqualTo(d.get("variants"));
        }
        // The two experiments split users independently: every combination occurs.
        assertThat(seen.keySet()).containsExactlyInAnyOrder("control/control", "control/b", "copy_b/control", "copy_b/b",
                "holdout/control", "holdout/b");
    }

    @Test
    void theDecisionLogCarriesTheVariant() {
        JsonNode d = decide("logged-user");
        String variant = d.get("variant").asText();
        assertThat(variant).isIn("banner_copy:control", "banner_copy:copy_b", "banner_copy:holdout");
        JsonNode logged = awaitDecision(d.get("decisionId").asText());
        assertThat(logged.get("variant").asText()).isEqualTo(variant);
        assertThat(logged.get("variants")).isEqualTo(d.get("variants"));
        assertThat(logged.get("variants").fieldNames()).toIterable().containsExactly("banner_copy", "cta_copy");
        assertThat(logged.get("adaptations").get(0).get("rule").asText()).isEqualTo(d.get("adaptations").get(0).get("rule").asText());
    }

    @Test
    void anonymousUsersAreAssignedByTheirAnonymousId() {
        Http.Response r = http.postJson("/v1/decide", WRITE_KEY, "{\"anonymousId\": \"anon-7\", \"placements\": [\"home_banner\"]}");
        assertThat(r.json().get("variant").asText()).startsWith("banner_copy:");
        assertThat(Set.of(r.json().get("variant").asText())).containsExactly(
                http.postJson("/v1/decide", WRITE_KEY, "{\"anonymousId\": \"anon-7\", \"placements\": [\"home_banner\"]}").json().get("variant").asText());
    }

    private static JsonNode awaitDecision(String decisionId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(server.namespace + ".decisions"));
            JsonNode[] found = new JsonNode[1];
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> rec : c.poll(Duration.ofMillis(500))) {
                    JsonNode n = JSON.readTree(new String(rec.value(), StandardCharsets.UTF_8));
                    if (decisionId.equals(n.get("decisionId").asText())) found[0] = n;
                }
                return found[0] != null;
            });
            return found[0];
        }
    }
}
