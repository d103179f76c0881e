package dev.kairos.rules.input;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.rules.Weights;
import dev.kairos.rules.geo.Geofences;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ingest checks an event's context with {@link DecideRequestReader#checkContext}, which skips building
 * it; decide reads the same shape. Over random contexts, good and bad, both must refuse the same ones
 * with the same field, code and message.
 */
class ContextCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-12-07T10:15:30Z");

    @Test
    void checkingAContextRefusesExactlyWhatReadingItDoes() {
        Geofences fences = new Geofences(java.util.List.of(new Geofences.Area("city_center", "downtown", 52.52, 13.40, 5000, null)));
        DecideRequestReader reader = new DecideRequestReader(fences);
        Random random = new Random(20261207);
        Set<String> codes = new HashSet<>();
        int accepted = 0;
        for (int n = 0; n < 3000; n++) {
            JsonNode context = context(random);
            ObjectNode body = JSON.createObjectNode().put("userId", "u-1");
            body.putArray("placements").add("home_banner");
            body.set("context", context);
            String read = outcome(() -> reader.read(body, Weights.DEFAULT, NOW));
            String checked = outcome(() -> reader.checkContext(context, "batch[0].", NOW));
            String expected = read.equals("ok") ? "ok" : read.replace("field=context", "field=batch[0].context").replace("message=", "message=batch[0].");
            assertThat(checked).as(context.toString()).isEqualTo(expected);
            if (read.equals("ok")) accepted++;
            else codes.add(read.substring(0, read.indexOf(' ')));
        }
        // The generator reaches both sides and the kinds of refusal (else the comparison proves little).
        assertThat(accepted).isBetween(300, 2700);
        assertThat(codes).contains("invalid_type", "invalid_value", "out_of_range", "too_long", "missing_field");
    }

    private static String outcome(Runnable r) {
        try {
            r.run();
            return "ok";
        } catch (InvalidInputException e) {
            return e.code() + " field=" + e.field() + " message=" + e.getMessage();
        }
    }

    private static JsonNode context(Random r) {
        if (r.nextInt(20) == 0) return r.nextBoolean() ? JSON.getNodeFactory().textNode("mobile") : JSON.getNodeFactory().arrayNode();
        ObjectNode c = JSON.createObjectNode();
        if (r.nextInt(3) == 0) c.set("device", pick(r, obj("type", text(r), "os", text(r)), JSON.getNodeFactory().numberNode(3), obj("model", text(r))));
        if (r.nextInt(3) == 0) {
            ObjectNode l = JSON.createObjectNode();
            if (r.nextInt(4) != 0) l.set("lat", number(r, 52.5, 95));
            if (r.nextInt(4) != 0) l.set("lon", number(r, 13.4, 190));
            if (r.nextInt(3) == 0) l.set("placeType", text(r));
            if (r.nextInt(4) == 0) l.set("geofences", pick(r, JSON.createArrayNode().add("a").add("b"), JSON.getNodeFactory().textNode("a"), JSON.createArrayNode().add(7)));
            if (r.nextInt(4) == 0) l.set("country", text(r));
            c.set("location", r.nextInt(15) == 0 ? JSON.getNodeFactory().textNode("berlin") : l);
        }
        if (r.nextInt(3) == 0) c.set("timezone", pick(r, JSON.getNodeFactory().textNode("Europe/Berlin"), JSON.getNodeFactory().textNode("Mars/Olympus"),
                JSON.getNodeFactory().textNode("America/New_York"), JSON.getNodeFactory().numberNode(1)));
        if (r.nextInt(3) == 0) c.set("timestamp", instant(r));
        if (r.nextInt(3) == 0) {
            ObjectNode s = JSON.createObjectNode();
            if (r.nextBoolean()) s.set("id", text(r));
            if (r.nextBoolean()) s.set("durationSeconds", pick(r, JSON.getNodeFactory().numberNode(120), JSON.getNodeFactory().numberNode(-5),
                    JSON.getNodeFactory().numberNode(40_000_000), JSON.getNodeFactory().textNode("long")));
            if (r.nextBoolean()) s.set("startedAt", instant(r));
            if (r.nextBoolean()) s.set("phase", text(r));
            c.set("session", r.nextInt(15) == 0 ? JSON.getNodeFactory().numberNode(1) : s);
        }
        if (r.nextInt(3) == 0) c.set("network", pick(r, JSON.getNodeFactory().textNode("wifi"), obj("type", text(r)), JSON.getNodeFactory().numberNode(4)));
        if (r.nextInt(3) == 0) c.set("page", text(r));
        if (r.nextInt(4) == 0) c.set("pageType", text(r));
        if (r.nextInt(4) == 0) c.set("locale", text(r));
        if (r.nextInt(5) == 0) c.put("unknownField", 1);
        return c;
    }

    private static JsonNode text(Random r) {
        return switch (r.nextInt(12)) {
            case 0 -> JSON.getNodeFactory().numberNode(42);
            case 1 -> JSON.getNodeFactory().textNode("x".repeat(300));
            case 2 -> JSON.getNodeFactory().textNode("bad\u0000value");
            case 3 -> JSON.getNodeFactory().nullNode();
            case 4 -> JSON.getNodeFactory().textNode("  ");
            default -> JSON.getNodeFactory().textNode("value-" + r.nextInt(100));
        };
    }

    private static JsonNode number(Random r, double good, double outOfRange) {
        return switch (r.nextInt(8)) {
            case 0 -> JSON.getNodeFactory().numberNode(outOfRange);
            case 1 -> JSON.getNodeFactory().textNode("52.1");
            default -> JSON.getNodeFactory().numberNode(good + r.nextGaussian() * 0.05);
        };
    }

    private static JsonNode instant(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> JSON.getNodeFactory().textNode("yesterday");
            case 1 -> JSON.getNodeFactory().textNode("1999-12-31T23:59:59Z");
            case 2 -> JSON.getNodeFactory().textNode("2101-01-01T00:00:00Z");
            case 3 -> JSON.getNodeFactory().numberNode(1_700_000_000);
            default -> JSON.getNodeFactory().textNode(NOW.minusSeconds(r.nextInt(7200)).toString());
        };
    }

    private static JsonNode pick(Random r, JsonNode... options) {
        return options[r.nextInt(options.length)];
    }

    private static ObjectNode obj(String k1, JsonNode v1, String k2, JsonNode v2) {
        ObjectNode o = obj(k1, v1);
        o.set(k2, v2);
        return o;
    }

    private static ObjectNode obj(String k, JsonNode v) {
        ObjectNode o = JSON.createObjectNode();
        o.set(k, v);
        return o;
    }
}
