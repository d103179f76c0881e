package dev.kairos.server.signals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The signal engine's slim event read keeps what the engine uses, and folds events exactly as a full parse does. */
class EventReaderTest {
    static final String SDK_EVENT = """
            {"eventId": "e-1", "type": "%s", "userId": "u-1", "anonymousId": "a-1", "sessionId": "s-1",
             "timestamp": "2026-11-23T18:31:00Z", "receivedAt": 1795545060000,
             "properties": %s,
             "context": {"library": {"name": "kairos-java", "version": "0.1.0"}, "timezone": "Europe/Berlin", "locale": "de-DE",
                         "device": {"type": "mobile", "os": "android", "model": "Pixel 9", "screen": {"w": 1080, "h": 2400}},
                         "location": {"lat": 52.5, "lon": 13.4}, "network": "wifi", "session": {"id": "s-1", "startedAt": "2026-11-23T18:00:00Z"}},
             "future": {"nested": [1, 2, {"x": "y"}]}}""";

    static byte[] event(String type, String props) {
        return SDK_EVENT.formatted(type, props).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keepsTheFieldsTheEngineReadsAndSkipsTheRest() throws Exception {
        JsonNode e = EventReader.read(event("add_to_cart", "{\"productId\": \"sku-9\", \"quantity\": 2, \"tags\": [\"a\"]}"));
        assertThat(e.get("eventId").asText()).isEqualTo("e-1");
        assertThat(e.get("userId").asText()).isEqualTo("u-1");
        assertThat(e.get("anonymousId").asText()).isEqualTo("a-1");
        assertThat(e.get("sessionId").asText()).isEqualTo("s-1");
        assertThat(e.get("timestamp").asText()).isEqualTo("2026-11-23T18:31:00Z");
        assertThat(e.get("receivedAt").asLong()).isEqualTo(1795545060000L);
        assertThat(e.get("properties").get("quantity").asInt()).isEqualTo(2);
        assertThat(e.get("properties").get("tags").get(0).asText()).isEqualTo("a");
        assertThat(e.get("context").get("timezone").asText()).isEqualTo("Europe/Berlin");
        assertThat(e.get("context").has("device")).isFalse();
        assertThat(e.has("future")).isFalse();
    }

    @Test
    void foldsEveryEventTypeExactlyAsTheFullTreeDoes() throws Exception {
        SignalRules rules = new SignalRules(SignalConfig.defaults());
        UserState full = new UserState();
        UserState slim = new UserState();
        long t = 1795545060000L;
        List<String[]> events = List.of(
                new String[] {"page_view", "{\"path\": \"/shoes\", \"category\": \"shoes\"}"},
                new String[] {"product_view", "{\"productId\": \"sku-9\", \"category\": \"shoes\"}"},
                new String[] {"scroll", "{\"depth\": 0.7, \"velocity\": 3500}"},
                new String[] {"scroll", "{\"depth\": 0.9, \"velocity\": 4000, \"rapid\": true}"},
                new String[] {"add_to_cart", "{\"productId\": \"sku-9\", \"quantity\": 2}"},
                new String[] {"search", "{\"query\": \"trail shoes\"}"},
                new String[] {"ad_click", "{\"adId\": \"ad-1\"}"},
                new String[] {"purchase_failed", "{\"reason\": \"declined\"}"},
                new String[] {"checkout_start", "{}"},
                new String[] {"purchase", "{\"orderId\": \"o-1\", \"value\": 99.5}"},
                new String[] {"remove_from_cart", "{\"productId\": \"sku-9\"}"});
        for (String[] e : events) {
            byte[] bytes = event(e[0], e[1]);
            t += 7_000;
            rules.apply(full, UserStateSerde.JSON.readTree(bytes), t);
            rules.apply(slim, EventReader.read(bytes), t);
        }
        assertThat(UserStateSerde.JSON.writeValueAsString(slim)).isEqualTo(UserStateSerde.JSON.writeValueAsString(full));
        assertThat(full.events).isEqualTo(events.size());
    }

    @Test
    void somethingOtherThanAnObjectIsAnError() {
        assertThatThrownBy(() -> EventReader.read("[1, 2]".getBytes(StandardCharsets.UTF_8))).isInstanceOf(java.io.IOException.class);
        assertThatThrownBy(() -> EventReader.read("{\"type\": ".getBytes(StandardCharsets.UTF_8))).isInstanceOf(java.io.IOException.class);
    }
}
