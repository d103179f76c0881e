package dev.kairos.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.TestServer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based fuzzing of every rules-server endpoint that reads a body, over the shapes of the
 * API: valid requests with some fields replaced by values of any JSON type (extreme numbers,
 * control characters, far-away instants, deep nesting, huge strings), unknown fields, and raw
 * garbage. Properties: never a 5xx, never a stack trace or class name in a body; and in a batch,
 * every item left intact is kept.
 */
class InputFuzzTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    static TestServer server;
    static Http http;

    @BeforeContainer
    static void start() {
        server = TestServer.start();
        http = server.http;
    }

    @AfterContainer
    static void stop() {
        server.close();
    }

    // --- properties ---------------------------------------------------------------------------

    @Property(tries = 150)
    void decideNeverAnswers5xx(@ForAll("decideBodies") String body) {
        Http.Response r = http.postJson("/v1/decide", WRITE_KEY, body);
        assertSane(r, body);
        assertThat(r.status()).isIn(200, 400, 413);
    }

    @Property(tries = 100)
    void aBatchKeepsEveryIntactItemAndNeverAnswers5xx(@ForAll("batches") Batch batch) {
        for (String path : List.of("/v1/events", "/v1/outcomes")) {
            String body = path.equals("/v1/events") ? batch.events() : batch.outcomes();
            Http.Response r = http.postJson(path, WRITE_KEY, body);
            assertSane(r, body);
            assertThat(r.status()).isIn(200, 400, 413);
            if (r.status() == 200) {
                JsonNode a = r.json();
                assertThat(a.get("accepted").asInt() + a.get("duplicates").asInt()).as(body).isGreaterThanOrEqualTo(batch.intact());
            } else if (r.status() == 400 && body.startsWith("{\"batch\"")) {
                assertThat(batch.intact()).as("a 400 means no item was valid: " + body).isZero();
            }
        }
    }

    @Property(tries = 80)
    void rawBodiesNeverAnswer5xx(@ForAll("rawBodies") String body) {
        for (String path : List.of("/v1/decide", "/v1/events", "/v1/outcomes")) assertSane(http.postJson(path, WRITE_KEY, body), body);
        assertSane(http.post("/v1/rules/validate", ADMIN_KEY, "application/json", body), body);
        assertSane(http.putJson("/v1/experiments/fuzz", ADMIN_KEY, body), body);
        assertSane(http.postJson("/v1/rules/versions/v1/activate", ADMIN_KEY, body), body);
    }

    @Property(tries = 80)
    void ruleTextNeverAnswers5xx(@ForAll("drl") String drl) {
        Http.Response r = http.post("/v1/rules/validate?name=fuzz.drl", ADMIN_KEY, "text/plain", drl);
        assertSane(r, drl);
        assertThat(r.status()).isIn(200, 400, 413);
    }

    @Property(tries = 80)
    void experimentDefinitionsNeverAnswer5xx(@ForAll("experiments") String body) {
        Http.Response r = http.putJson("/v1/experiments/fuzz_" + Math.abs(body.hashCode() % 5), ADMIN_KEY, body);
        assertSane(r, body);
        assertThat(r.status()).isIn(200, 201, 400, 409, 413);
    }

    static void assertSane(Http.Response r, String sent) {
        assertThat(r.status()).as("status for %s%n-> %s", abbreviate(sent), abbreviate(r.body())).isLessThan(500);
        // The one class name an answer may give: the pack API's Actions, which the validator names where a pack
        // imports a function from elsewhere (docs/rules-guide.md); any other dev.kairos. name is an internal.
        String shown = r.body().replace(PACK_FUNCTIONS, "");
        assertThat(shown).as("no internals in the answer to %s", abbreviate(sent))
                .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("dev.kairos.").doesNotContain("io.micronaut");
    }

    private static final String PACK_FUNCTIONS = "dev.kairos.rules.Actions";

    /** What the fuzzer found (seed-dependent): a forbidden function import makes the pack invalid, and the report names where functions may come from. */
    @Example
    void aForbiddenFunctionImportIsRefusedWithGuidanceAndNoInternals() {
        Http.Response r = http.post("/v1/rules/validate?name=fuzz.drl", ADMIN_KEY, "text/plain", "import function rule");
        assertSane(r, "import function rule");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("valid").asBoolean()).isFalse();
        assertThat(r.json().get("problems").get(0).get("kind").asText()).isEqualTo("forbidden");
        assertThat(r.json().get("problems").get(0).get("message").asText()).contains(PACK_FUNCTIONS);
    }

    static String abbreviate(String s) {
        return s.length() > 400 ? s.substring(0, 400) + "…" : s;
    }

    // --- generators --------------------------------------------------------------------------

    /** Any JSON value, biased to the troublesome ones. */
    static Arbitrary<JsonNode> anyValue() {
        Arbitrary<JsonNode> text = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(40).map(F::textNode),
                Arbitraries.strings().withChars('\u0000', '\u0007', '\u001f', '\u007f', 'é', '\ud83d', '\ude00', '"', '\\').ofMaxLength(8).map(F::textNode),
                Arbitraries.of("+1000000000-01-01T00:00:00Z", "-999999999-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "2099-12-31T23:59:59Z",
                        "2026-11-23T18:30:00Z", "2026-13-45T99:00:00Z", "not a time", "Europe/Berlin", "Mars/Olympus", "", " ").map(F::textNode),
                Arbitraries.strings().ofLength(5000).map(F::textNode));
        Arbitrary<JsonNode> number = Arbitraries.oneOf(
                Arbitraries.of(0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE).map(F::numberNode),
                Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE).map(F::numberNode),
                Arbitraries.of(1e308, -1e308, 4.9e-324, -0.0, 0.5, 1.0000001).map(F::numberNode),
                Arbitraries.of(new java.math.BigInteger("123456789012345678901234567890")).map(F::numberNode));
        Arbitrary<JsonNode> other = Arbitraries.of(F.nullNode(), F.booleanNode(true), F.booleanNode(false), F.arrayNode(), F.objectNode(), nested(60));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, text), net.jqwik.api.Tuple.of(3, number), net.jqwik.api.Tuple.of(2, other));
    }

    static JsonNode nested(int depth) {
        JsonNode n = F.textNode("x");
        for (int i = 0; i < depth; i++) n = i % 2 == 0 ? F.arrayNode().add(n) : F.objectNode().set("a", n);
        return n;
    }

    static ObjectNode validDecide() {
        ObjectNode n = F.objectNode();
        n.put("userId", "u-" + UUID.randomUUID());
        n.put("anonymousId", "a-1");
        n.put("sessionId", "s-1");
        n.set("placements", F.arrayNode().add("home_banner").add(F.objectNode().put("name", "product_page").set("formats", F.arrayNode().add("banner"))));
        ObjectNode ctx = n.putObject("context");
        ctx.putObject("device").put("type", "mobile").put("os", "ios");
        ctx.putObject("location").put("lat", 52.5).put("lon", 13.4).put("placeType", "restaurant");
        ctx.put("timezone", "Europe/Berlin").put("timestamp", "2026-11-23T18:30:00Z").put("page", "/product/42");
        ctx.putObject("session").put("id", "s-1").put("startedAt", "2026-11-23T18:00:00Z");
        n.putObject("signals").put("intentScore", 0.9).put("cartItems", 2).put("lastSearch", "pizza").putObject("productViewsByCategory").put("dresses", 3);
        n.set("segments", F.arrayNode().add("cart_history").add(F.objectNode().put("name", "vip").put("since", "2026-11-01T00:00:00Z")));
        return n;
    }

    static final List<String> DECIDE_PATHS = List.of("userId", "anonymousId", "sessionId", "placements", "placements[0]", "placements[1].formats",
            "placements[1].name", "context", "context.device", "context.device.type", "context.location.lat", "context.location.lon",
            "context.location", "context.timezone", "context.timestamp", "context.page", "context.session", "context.session.startedAt",
            "context.session.durationSeconds", "signals", "signals.intentScore", "signals.cartItems", "signals.lastSearch",
            "signals.productViewsByCategory", "signals.peakHours", "signals.custom", "signals.deviation", "segments", "segments[0]",
            "segments[1].since", "unknownField");

    @Provide
    Arbitrary<String> decideBodies() {
        return Arbitraries.of(DECIDE_PATHS).list().ofMinSize(1).ofMaxSize(4).flatMap(paths ->
                anyValue().list().ofSize(paths.size()).map(values -> {
                    ObjectNode n = validDecide();
                    for (int i = 0; i < paths.size(); i++) set(n, paths.get(i), values.get(i));
                    return n.toString();
                }));
    }

    /** A batch of events (and the same shape as outcomes) where some items were broken on purpose. */
    record Batch(String events, String outcomes, int intact) {}

    static ObjectNode validEvent() {
        ObjectNode e = F.objectNode();
        e.put("eventId", UUID.randomUUID().toString()).put("type", "page_view").put("userId", "u-" + UUID.randomUUID());
        e.put("timestamp", "2026-11-23T18:30:00Z");
        e.putObject("properties").put("page", "/product/1").put("category", "dresses");
        e.putObject("context").put("timezone", "Europe/Berlin").put("timestamp", "2026-11-23T18:30:00Z");
        return e;
    }

    static ObjectNode validOutcome() {
        ObjectNode o = F.objectNode();
        o.put("eventId", UUID.randomUUID().toString()).put("type", "click").put("userId", "u-" + UUID.randomUUID());
        o.put("decisionId", UUID.randomUUID().toString()).put("placement", "home_banner").put("timestamp", "2026-11-23T18:30:00Z");
        return o;
    }

    static final List<String> ITEM_PATHS = List.of("eventId", "type", "userId", "anonymousId", "timestamp", "properties", "properties.page",
            "context", "context.timestamp", "context.timezone", "decisionId", "placement", "extra");

    @Provide
    Arbitrary<Batch> batches() {
        Arbitrary<List<String>> brokenPaths = Arbitraries.of(ITEM_PATHS).list().ofMinSize(1).ofMaxSize(3);
        Arbitrary<List<JsonNode>> brokenValues = anyValue().list().ofSize(3);
        Arbitrary<Boolean> breakIt = Arbitraries.of(true, false);
        return Combinators.combine(breakIt.list().ofMinSize(1).ofMaxSize(12), brokenPaths.list().ofSize(12), brokenValues.list().ofSize(12))
                .as((breaks, paths, values) -> {
                    ArrayNode events = F.arrayNode();
                    ArrayNode outcomes = F.arrayNode();
                    int intact = 0;
                    for (int i = 0; i < breaks.size(); i++) {
                        ObjectNode e = validEvent();
                        ObjectNode o = validOutcome();
                        if (breaks.get(i)) {
                            for (int k = 0; k < paths.get(i).size(); k++) {
                                set(e, paths.get(i).get(k), values.get(i).get(k));
                                set(o, paths.get(i).get(k), values.get(i).get(k));
                            }
                        } else {
                            intact++;
                        }
                        events.add(e);
                        outcomes.add(o);
                    }
                    return new Batch(F.objectNode().set("batch", events).toString(), F.objectNode().set("batch", outcomes).toString(), intact);
                });
    }

    @Provide
    Arbitrary<String> rawBodies() {
        String valid = validDecide().toString();
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(200),
                Arbitraries.integers().between(0, valid.length()).map(n -> valid.substring(0, n)),
                Arbitraries.of(valid + " trailing", valid + valid, "{\"userId\":\"a\",\"userId\":\"b\"}", "[]", "null", "0", "\"x\"", "{",
                        "[".repeat(5000), "{\"batch\":" + "[".repeat(3000), "{\"batch\": null}", "{\"batch\": {}}", "{\"batch\": [null, 1, \"x\", []]}",
                        "{\"files\": {\"a.drl\": 1}}", "{\"files\": {\"../x.drl\": \"rule\"}}", "{\"canaryPercent\": \"NaN\"}",
                        "{\"canaryPercent\": 1e400}", "{\"variants\": [{\"name\": null}]}", "\u0000\u0001\u0002", "\ufeff{}"));
    }

    @Provide
    Arbitrary<String> drl() {
        List<String> tokens = List.of("package p;", "rule", "\"r\"", "when", "then", "end", "$p", ":", "Placement(", ")", "(", "Signals(",
                "name", "==", "\"home_banner\"", ",", "&&", "||", "adapt($p)", ".cta(\"x\")", ";", "not", "exists", "eval(", "from",
                "accumulate(", "collect(", "import", "java.io.File", "global", "function", "query", "declare", "salience", "-100", "@description(",
                "\"\\u0022\"", "matches", "\"(a+)+\"", "in", "[", "]", "{", "}", "insert(new Segment(\"s\", null))", "/*", "*/", "//", "\n", "#");
        return Arbitraries.of(tokens).list().ofMaxSize(60).map(l -> String.join(" ", l));
    }

    @Provide
    Arbitrary<String> experiments() {
        return Arbitraries.of("description", "variants", "holdout", "active", "params", "variants[0]", "variants[0].name", "variants[0].weight",
                "variants[1].weight", "params.b", "params.b.cta", "unknown").list().ofMinSize(1).ofMaxSize(3).flatMap(paths ->
                anyValue().list().ofSize(paths.size()).map(values -> {
                    ObjectNode n = F.objectNode();
                    n.put("description", "fuzz").put("holdout", 10).put("active", true);
                    n.set("variants", F.arrayNode().add(F.objectNode().put("name", "a").put("weight", 50)).add(F.objectNode().put("name", "b").put("weight", 50)));
                    n.putObject("params").putObject("b").put("cta", "Buy");
                    for (int i = 0; i < paths.size(); i++) set(n, paths.get(i), values.get(i));
                    return n.toString();
                }));
    }

    /** Sets {@code path} (dots and [i]) in {@code root} to {@code value}, creating objects on the way. */
    static void set(ObjectNode root, String path, JsonNode shared) {
        JsonNode value = shared.deepCopy();
        List<String> parts = new ArrayList<>(List.of(path.split("\\.")));
        JsonNode node = root;
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            int index = -1;
            if (part.endsWith("]")) {
                index = Integer.parseInt(part.substring(part.indexOf('[') + 1, part.length() - 1));
                part = part.substring(0, part.indexOf('['));
            }
            boolean last = i == parts.size() - 1;
            if (!(node instanceof ObjectNode obj)) return;
            if (index < 0) {
                if (last) {
                    obj.set(part, value);
                    return;
                }
                if (!(obj.get(part) instanceof ObjectNode)) obj.putObject(part);
                node = obj.get(part);
            } else {
                if (!(obj.get(part) instanceof ArrayNode arr) || arr.size() <= index) return;
                if (last) {
                    arr.set(index, value);
                    return;
                }
                node = arr.get(index);
            }
        }
    }
}
