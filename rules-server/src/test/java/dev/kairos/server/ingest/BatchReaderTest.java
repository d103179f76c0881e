package dev.kairos.server.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.service.api.ApiException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ingest reader: one streaming pass over the body, the envelope's errors, and canonical records whose
 * {@code properties} and {@code context} are the bytes the client sent (UTF-8), checked against the records
 * written from trees (the path a UTF-16 body takes).
 */
class BatchReaderTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    final BatchReader reader = new BatchReader(JSON, new IngestConfig(5, 2048, 1000));

    BatchReader.Batch events(String body) throws IOException {
        return reader.events(body.getBytes(StandardCharsets.UTF_8), NOW, (u, a) -> u != null ? u : a);
    }

    /** A valid page view, or with {@code extra} fields, a scroll (which needs {@code properties.depth}). */
    static String event(String extra) {
        return "{\"eventId\": \"" + UUID.randomUUID() + "\", \"type\": \"" + (extra.isEmpty() ? "page_view" : "scroll") + "\", \"userId\": \"u1\"" + extra + "}";
    }

    @Test
    void theRecordCarriesPropertiesAndContextAsSentAndTheRestCanonical() throws IOException {
        String id = UUID.randomUUID().toString().toUpperCase(java.util.Locale.ROOT);
        String props = "{ \"depth\" : 0.60,\n \"note\": \"caf\\u00e9 \\\"x\\\"\", \"nested\": {\"a\": [1, 2e2]} }";
        String context = "{\"timezone\": \"Europe/Berlin\", \"device\": {\"type\": \"mobile\"}}";
        BatchReader.Batch batch = events("{\"sentAt\": \"2026-12-07T09:59:59Z\", \"batch\": [{\"eventId\": \"" + id + "\", \"type\": \"scroll\", "
                + "\"userId\": \"  u1 \", \"extra\": {\"dropped\": true}, \"timestamp\": \"2026-12-07T09:59:58.500+01:00\", \"properties\": " + props
                + ", \"context\": " + context + "}]}");
        assertThat(batch.rejected()).isEmpty();
        String record = new String(batch.items().get(0).value(), StandardCharsets.UTF_8);
        // As sent: formatting, escapes and number formats untouched (a canonical record need not be on one line).
        assertThat(record).contains("\"properties\":" + props).contains("\"context\":" + context);
        JsonNode tree = JSON.readTree(record);
        assertThat(tree.get("eventId").asText()).isEqualTo(id.toLowerCase(java.util.Locale.ROOT));
        assertThat(tree.get("userId").asText()).isEqualTo("u1");
        assertThat(tree.get("timestamp").asText()).isEqualTo("2026-12-07T08:59:58.500Z");
        assertThat(tree.get("receivedAt").asLong()).isEqualTo(NOW.toEpochMilli());
        assertThat(tree.get("schemaVersion").asInt()).isEqualTo(EventTypes.SCHEMA_VERSION);
        assertThat(tree.has("extra")).as("fields outside the schema are not kept").isFalse();
        assertThat(tree.get("properties").get("note").asText()).isEqualTo("café \"x\"");
        assertThat(batch.items().get(0).key()).isEqualTo("u1");
    }

    @Test
    void aTimestampIsKeptAsTheSdksWriteItAndWrittenSoOtherwise() throws IOException {
        // {given, written}: the record's timestamp is Instant.toString's, whatever form of ISO-8601 came in.
        String[][] read = {
                {"2026-12-07T09:59:58.123Z", "2026-12-07T09:59:58.123Z"}, {"2026-12-07T09:59:58Z", "2026-12-07T09:59:58Z"},
                {"2026-12-07T09:59:58.120Z", "2026-12-07T09:59:58.120Z"}, {"2026-12-07T09:59:58.000Z", "2026-12-07T09:59:58Z"},
                {"2026-12-07T09:59:58.5Z", "2026-12-07T09:59:58.500Z"}, {"2026-12-07T09:59:58.123456000Z", "2026-12-07T09:59:58.123456Z"},
                {"2026-12-07t09:59:58z", "2026-12-07T09:59:58Z"}, {"2026-12-07T10:59:58+01:00", "2026-12-07T09:59:58Z"},
                {"2026-12-08T10:00:00Z", "2026-12-08T10:00:00Z"}, {"2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z"},
        };
        for (String[] c : read) {
            BatchReader.Batch batch = events("{\"batch\": [" + event(", \"timestamp\": \"" + c[0] + "\", \"properties\": {\"depth\": 0.5}") + "]}");
            assertThat(batch.rejected()).as(c[0]).isEmpty();
            assertThat(JSON.readTree(batch.items().get(0).value()).get("timestamp").asText()).as(c[0]).isEqualTo(c[1]);
        }
        // {given, code}: beyond a day ahead of the server, before 2000, or no instant at all.
        String[][] refused = {
                {"2026-12-08T10:00:00.001Z", "out_of_range"}, {"1999-12-31T23:59:59.999Z", "out_of_range"},
                {"2026-02-29T00:00:00Z", "invalid_value"}, {"2026-12-07T09:59:58", "invalid_value"}, {"2026-12-07T24:00:01Z", "invalid_value"},
        };
        for (String[] c : refused) {
            BatchReader.Batch batch = events("{\"batch\": [" + event(", \"timestamp\": \"" + c[0] + "\", \"properties\": {\"depth\": 0.5}") + "]}");
            assertThat(batch.rejected()).as(c[0]).extracting(BatchReader.Rejection::code, BatchReader.Rejection::field)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(c[1], "batch[0].timestamp"));
        }
    }

    @Test
    void anEventIdIsWrittenInItsCanonicalFormWhateverCaseItCameIn() throws IOException {
        for (String given : List.of("9b2c6f4e-1d2a-4c3b-8e7f-0a1b2c3d4e5f", "9B2C6F4E-1D2A-4C3B-8E7F-0A1B2C3D4E5F", "9b2c6f4e-1d2a-4c3b-8e7f-0a1b2c3d4E5f")) {
            BatchReader.Batch batch = events("{\"batch\": [{\"eventId\": \"" + given + "\", \"type\": \"page_view\", \"userId\": \"u1\"}]}");
            assertThat(batch.rejected()).as(given).isEmpty();
            assertThat(JSON.readTree(batch.items().get(0).value()).get("eventId").asText()).as(given).isEqualTo("9b2c6f4e-1d2a-4c3b-8e7f-0a1b2c3d4e5f");
        }
    }

    @Test
    void eventsWithTheSameContextBytesShareOneCheckAndAnyOtherContextIsCheckedAgain() throws IOException {
        String context = "{\"timezone\": \"Europe/Berlin\", \"device\": {\"type\": \"mobile\"}}";
        String mars = "{\"timezone\": \"Mars/Olympus\"}";
        // The same bytes up to the last one: a different object, checked on its own.
        String longer = context.substring(0, context.length() - 1) + ", \"locale\": 5}";
        java.util.function.Function<String, String> with = c -> event(", \"properties\": {\"depth\": 0.5}, \"context\": " + c);
        BatchReader.Batch batch = events("{\"batch\": [" + with.apply(context) + ", " + with.apply(context) + ", " + with.apply(mars) + ", "
                + with.apply(longer) + ", " + with.apply(context) + "]}");
        assertThat(batch.items()).extracting(BatchReader.Item::index).containsExactly(0, 1, 4);
        assertThat(batch.rejected()).extracting(BatchReader.Rejection::field).containsExactly("batch[2].context.timezone", "batch[3].context.locale");
        for (BatchReader.Item item : batch.items()) {
            assertThat(new String(item.value(), StandardCharsets.UTF_8)).endsWith("\"context\":" + context + "}");
        }
        // A context refused once is refused again, however often it comes.
        BatchReader.Batch twice = events("{\"batch\": [" + with.apply(mars) + ", " + with.apply(mars) + ", " + with.apply(context) + "]}");
        assertThat(twice.rejected()).extracting(BatchReader.Rejection::index).containsExactly(0, 1);
        assertThat(twice.items()).extracting(BatchReader.Item::index).containsExactly(2);
    }

    @Test
    void aUtf8BodyWithAByteOrderMarkIsCopiedFromTheRightPlace() throws IOException {
        String body = "{\"batch\": [" + event(", \"properties\": {\"depth\": 0.25}") + "]}";
        byte[] utf8 = body.getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[utf8.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(utf8, 0, withBom, 3, utf8.length);
        BatchReader.Batch batch = reader.events(withBom, NOW, (u, a) -> u);
        assertThat(new String(batch.items().get(0).value(), StandardCharsets.UTF_8)).contains("\"properties\":{\"depth\": 0.25}");
    }

    @Test
    void anEventWithoutPropertiesGetsAnEmptyObjectAndNoContext() throws IOException {
        BatchReader.Batch batch = events("{\"batch\": [{\"eventId\": \"" + UUID.randomUUID() + "\", \"type\": \"page_view\", \"anonymousId\": \"a1\", "
                + "\"properties\": null, \"context\": null}]}");
        JsonNode tree = JSON.readTree(batch.items().get(0).value());
        assertThat(tree.get("properties").isObject()).isTrue();
        assertThat(tree.get("properties").size()).isZero();
        assertThat(tree.has("context")).isFalse();
        assertThat(tree.get("anonymousId").asText()).isEqualTo("a1");
    }

    @Test
    void badItemsAreRejectedByIndexAndTheGoodOnesKept() throws IOException {
        BatchReader.Batch batch = events("{\"batch\": [" + event(", \"properties\": {\"depth\": 0.5}") + ", 7, "
                + event(", \"properties\": {\"depth\": 2}") + ", " + event(", \"properties\": {\"depth\": 0.5}, \"context\": \"mobile\"") + ", "
                + event(", \"properties\": {\"depth\": 0.1}, \"properties\": {\"velocity\": 10}") + "]}");
        assertThat(batch.items()).extracting(BatchReader.Item::index).containsExactly(0);
        assertThat(batch.rejected()).extracting(BatchReader.Rejection::index).containsExactly(1, 2, 3, 4);
        assertThat(batch.rejected()).extracting(BatchReader.Rejection::code).containsExactly("invalid_type", "out_of_range", "invalid_type", "missing_field");
        assertThat(batch.rejected().get(3).field()).as("the last of two properties fields counts").isEqualTo("batch[4].properties.depth");
    }

    @Test
    void theEnvelopeIsCheckedAsBefore() {
        assertThatThrownBy(() -> events("[1, 2]")).isInstanceOf(ApiException.class).hasMessageContaining("the body must be");
        assertThatThrownBy(() -> events("{\"sentAt\": null}")).isInstanceOf(ApiException.class).hasMessageContaining("batch is required");
        assertThatThrownBy(() -> events("{\"batch\": {}}")).isInstanceOf(ApiException.class).hasMessageContaining("batch must be an array");
        assertThatThrownBy(() -> events("{\"batch\": [], \"sentAt\": \"yesterday\"}")).isInstanceOf(ApiException.class).hasMessageContaining("sentAt");
        String six = String.join(",", java.util.Collections.nCopies(6, event("")));
        assertThatThrownBy(() -> events("{\"batch\": [" + six + "]}")).isInstanceOf(ApiException.class)
                .hasMessageContaining("at most 5 items per batch, got 6");
    }

    @Test
    void malformedJsonAnywhereIsAJsonErrorEvenAfterAnEnvelopeError() {
        assertThatThrownBy(() -> events("{\"batch\": 5, \"other\": [1, }")).isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> events("{\"batch\": [" + event("") + ", {\"type\": }]}")).isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> events("[1, 2")).isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void withBatchGivenTwiceTheLastCounts() throws IOException {
        BatchReader.Batch batch = events("{\"batch\": [" + event("") + ", 1], \"batch\": [" + event("") + "]}");
        assertThat(batch.items()).hasSize(1);
        assertThat(batch.rejected()).isEmpty();
        assertThatThrownBy(() -> events("{\"batch\": [" + event("") + "], \"batch\": null}")).hasMessageContaining("batch is required");
    }

    @Test
    void withTheServersStrictMapperTrailingContentAndFieldsGivenTwiceAreJsonErrors() throws IOException {
        ObjectMapper strict = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        BatchReader server = new BatchReader(strict, new IngestConfig(5, 2048, 1000));
        java.util.function.Function<String, byte[]> utf8 = body -> body.getBytes(StandardCharsets.UTF_8);
        // Values inside the body are followed by more of it: only what follows the whole body is trailing.
        String valid = "{\"batch\": [" + event(", \"properties\": {\"depth\": 0.5}, \"context\": {\"timezone\": \"UTC\"}") + ", " + event("") + "], \"sentAt\": null}";
        assertThat(server.events(utf8.apply(valid), NOW, (u, a) -> u).items()).hasSize(2);
        assertThatThrownBy(() -> server.events(utf8.apply(valid + " {}"), NOW, (u, a) -> u))
                .isInstanceOf(JsonProcessingException.class).satisfies(e -> assertThat(((JsonProcessingException) e).getOriginalMessage()).startsWith("Trailing token"));
        assertThatThrownBy(() -> server.events(utf8.apply("[1] 2"), NOW, (u, a) -> u)).isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> server.events(utf8.apply("{\"batch\": [{\"type\": \"a\", \"type\": \"b\"}]}"), NOW, (u, a) -> u))
                .isInstanceOf(JsonProcessingException.class).hasMessageContaining("Duplicate field 'type'");
        assertThatThrownBy(() -> server.outcomes(utf8.apply("{\"batch\": []} x"), NOW, (u, a) -> u)).isInstanceOf(JsonProcessingException.class);
    }

    @Property(tries = 500)
    void aCanonicalStringIsWhatJacksonWrites(@ForAll("texts") String text) throws IOException {
        // Plain ASCII is copied as it is, anything else escaped: either way, the bytes Jackson's writer gives.
        byte[] written = new BatchReader.Canonical().start().string("v", text).end();
        assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo(JSON.writeValueAsString(java.util.Map.of("v", text)));
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> ascii = Arbitraries.strings().withCharRange((char) 0, (char) 0x7f).ofMaxLength(20);
        Arbitrary<String> any = Arbitraries.strings().withChars('"', '\\', '/', '\u007f', '\u0080', '\u00e9', '\u2028', '\u2603', '\n', '\u0000')
                .withCharRange('a', 'c').ofMaxLength(12);
        return Arbitraries.oneOf(ascii, any, Arbitraries.strings().ofMaxLength(16),
                Arbitraries.of("u1", "9b2c6f4e-1d2a-4c3b-8e7f-0a1b2c3d4e5f", "2026-12-07T10:00:00Z", "say \"hi\"", "a\\b", "\u007f"));
    }

    @Test
    void stringsBooleansAndNullsAtTheTopOfAnEventAreCheckedAsBefore() throws IOException {
        // Read without the tree reader (BatchReader.tree): a non-string id or user is still a type error, null still absent.
        BatchReader.Batch batch = events("{\"batch\": [" + event("").replace("\"userId\": \"u1\"", "\"userId\": true") + ", "
                + event("").replace("\"userId\": \"u1\"", "\"userId\": null, \"anonymousId\": \"a1\"") + ", "
                + "{\"eventId\": false, \"type\": \"page_view\", \"userId\": \"u1\"}, "
                + event("").replace("\"userId\": \"u1\"", "\"userId\": \"u1\", \"sessionId\": 12") + "]}");
        assertThat(batch.rejected()).extracting(BatchReader.Rejection::index, BatchReader.Rejection::code, BatchReader.Rejection::field)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, "invalid_type", "batch[0].userId"),
                        org.assertj.core.groups.Tuple.tuple(2, "invalid_type", "batch[2].eventId"),
                        org.assertj.core.groups.Tuple.tuple(3, "invalid_type", "batch[3].sessionId"));
        assertThat(batch.items()).extracting(BatchReader.Item::index, BatchReader.Item::key).containsExactly(org.assertj.core.groups.Tuple.tuple(1, "a1"));
    }

    @Test
    void withTheServersStrictMapperAFieldGivenTwiceAnywhereIsAJsonErrorNamingIt() throws IOException {
        ObjectMapper strict = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        BatchReader server = new BatchReader(strict, new IngestConfig(2, 2048, 1000));
        String ok = event("");
        // The reader checks names itself (the parser's check is off): the envelope, an event's fields of the schema and
        // others, anything read as a tree (properties, context, fields outside the schema, outcomes, items past the limit).
        java.util.Map<String, String> bodies = new java.util.LinkedHashMap<>();
        bodies.put("batch", "{\"batch\": [], \"batch\": []}");
        bodies.put("sentAt", "{\"sentAt\": null, \"batch\": [], \"sentAt\": null}");
        bodies.put("meta", "{\"meta\": 1, \"batch\": [], \"meta\": 2}");
        bodies.put("a", "{\"meta\": {\"a\": 1, \"a\": 1}, \"batch\": []}");
        bodies.put("userId", "{\"batch\": [" + ok.replace("\"userId\": \"u1\"", "\"userId\": null, \"userId\": \"u1\"") + "]}");
        bodies.put("extra", "{\"batch\": [" + ok.replace("}", ", \"extra\": 1, \"extra\": [2]}") + "]}");
        bodies.put("b", "{\"batch\": [" + ok.replace("}", ", \"extra\": {\"b\": 1, \"c\": {}, \"b\": 2}}") + "]}");
        bodies.put("depth", "{\"batch\": [" + event(", \"properties\": {\"depth\": 0.5, \"depth\": 0.6}") + "]}");
        bodies.put("x", "{\"batch\": [" + event(", \"properties\": {\"depth\": 0.5, \"n\": [{\"x\": 1, \"x\": 2}]}") + "]}");
        // Past the 50 fields properties may have (which are all the scan keeps), a name given twice is still a JSON error.
        bodies.put("f51", "{\"batch\": [" + event(", \"properties\": " + fields(52).replace("}", ", \"f51\": 0}")) + "]}");
        bodies.put("os", "{\"batch\": [" + event(", \"properties\": {\"depth\": 0.5}, \"context\": {\"device\": {\"os\": \"a\", \"os\": \"b\"}}") + "]}");
        bodies.put("c", "{\"batch\": [" + ok + ", " + ok + ", {\"c\": 1, \"c\": 2}]}");
        for (java.util.Map.Entry<String, String> b : bodies.entrySet()) {
            assertThatThrownBy(() -> server.events(b.getValue().getBytes(StandardCharsets.UTF_8), NOW, (u, a) -> u)).as(b.getValue())
                    .isInstanceOf(JsonProcessingException.class)
                    .satisfies(e -> assertThat(((JsonProcessingException) e).getOriginalMessage()).startsWith("Duplicate field '" + b.getKey() + "'"));
            // A mapper that lets a field come twice reads the same bodies (the last one counts), this one's checks off.
            reader.events(b.getValue().getBytes(StandardCharsets.UTF_8), NOW, (u, a) -> u);
        }
        assertThatThrownBy(() -> server.outcomes("{\"batch\": [{\"decisionId\": \"d\", \"decisionId\": \"e\"}]}".getBytes(StandardCharsets.UTF_8), NOW, (u, a) -> u))
                .isInstanceOf(JsonProcessingException.class).hasMessageContaining("Duplicate field 'decisionId'");
        // The same names in different objects are no repeat.
        String nested = "{\"batch\": [" + event(", \"properties\": {\"depth\": 0.5, \"type\": {\"type\": 1}}, \"context\": {\"device\": {\"type\": \"a\"}}") + ", " + ok + "]}";
        assertThat(server.events(nested.getBytes(StandardCharsets.UTF_8), NOW, (u, a) -> u).items()).hasSize(2);
    }

    /** One item of a random batch: an event built from parts that are sometimes wrong. */
    record Part(String type, String user, String props, String context, String timestamp, boolean noId) {}

    @Property(tries = 300)
    void recordsFromTheBytesSentEqualRecordsWrittenFromTrees(@ForAll("items") List<Part> parts) throws IOException {
        StringBuilder body = new StringBuilder("{\"batch\": [");
        for (int i = 0; i < parts.size(); i++) {
            Part part = parts.get(i);
            if (i > 0) body.append(", ");
            body.append('{');
            if (!part.noId()) body.append("\"eventId\": \"").append(UUID.nameUUIDFromBytes(new byte[] {(byte) i})).append("\", ");
            body.append("\"type\": ").append(part.type()).append(", \"userId\": ").append(part.user());
            if (part.props() != null) body.append(", \"properties\": ").append(part.props());
            if (part.context() != null) body.append(", \"context\": ").append(part.context());
            if (part.timestamp() != null) body.append(", \"timestamp\": ").append(part.timestamp());
            body.append('}');
        }
        String json = body.append("]}").toString();
        BatchReader.Batch utf8 = reader.events(json.getBytes(StandardCharsets.UTF_8), NOW, (u, a) -> u);
        // UTF-16 is read as characters, so its records are written from the trees: the reference.
        BatchReader.Batch utf16 = reader.events(json.getBytes(StandardCharsets.UTF_16BE), NOW, (u, a) -> u);
        assertThat(utf8.rejected()).isEqualTo(utf16.rejected());
        assertThat(utf8.items()).hasSameSizeAs(utf16.items());
        List<JsonNode> fromBytes = new ArrayList<>();
        List<JsonNode> fromTrees = new ArrayList<>();
        for (int i = 0; i < utf8.items().size(); i++) {
            BatchReader.Item a = utf8.items().get(i);
            BatchReader.Item b = utf16.items().get(i);
            assertThat(List.of(a.index(), a.key(), a.id())).isEqualTo(List.of(b.index(), b.key(), b.id()));
            fromBytes.add(JSON.readTree(a.value()));
            fromTrees.add(JSON.readTree(b.value()));
        }
        assertThat(fromBytes).isEqualTo(fromTrees);
    }

    @Test
    void eachCheckOfPropertiesNamesItsFieldCodeAndReasonWhetherScannedOrReadAsATree() throws IOException {
        // {type, properties, field, code, message}; the field and the message after "batch[0]." / as given.
        String[][] cases = {
                {"product_view", "{\"category\": \"x\"}", "properties.productId", "missing_field", "product_view events need properties.productId"},
                {"product_view", "{\"productId\": null}", "properties.productId", "missing_field", "product_view events need properties.productId"},
                {"product_view", "{\"productId\": 7}", "properties.productId", "invalid_type", "batch[0].properties.productId must be a string"},
                {"scroll", "{\"depth\": \"deep\"}", "properties.depth", "invalid_type", "batch[0].properties.depth must be a number"},
                {"scroll", "{\"depth\": 0.5, \"quantity\": 2.5}", "properties.quantity", "invalid_type", "batch[0].properties.quantity must be a integer"},
                {"scroll", "{\"rapid\": \"yes\", \"depth\": 0.5}", "properties.rapid", "invalid_type", "batch[0].properties.rapid must be a boolean"},
                {"scroll", "{\"velocity\": 10}", "properties.depth", "missing_field", "scroll events need properties.depth (0..1) or properties.depthPx"},
                {"scroll", "{\"depth\": 2}", "properties.depth", "out_of_range", "batch[0].properties.depth must be between 0 and 1"},
                {"scroll", "{\"depthPx\": 5, \"velocity\": -1}", "properties.velocity", "out_of_range", "batch[0].properties.velocity must be between 0 and 10000000"},
                {"page_view", "{\"quantity\": 0}", "properties.quantity", "out_of_range", "batch[0].properties.quantity must be between 1 and 10000"},
                {"scroll", fields(51), "properties", "too_many", "batch[0].properties must have at most 50 fields"},
                {"scroll", "[]", "properties", "invalid_type", "batch[0].properties must be an object"},
        };
        for (String[] c : cases) {
            String body = "{\"batch\": [{\"eventId\": \"" + UUID.randomUUID() + "\", \"type\": \"" + c[0] + "\", \"userId\": \"u1\", \"properties\": " + c[1] + "}]}";
            for (java.nio.charset.Charset charset : List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16BE)) {
                BatchReader.Batch batch = reader.events(body.getBytes(charset), NOW, (u, a) -> u);
                assertThat(batch.rejected()).as(c[1] + " in " + charset).containsExactly(new BatchReader.Rejection(0, c[3], c[4], "batch[0]." + c[2]));
            }
        }
        // And what passes: 50 fields (48 and two more), a null optional field, integers where numbers are wanted.
        String ok = "{\"batch\": [{\"eventId\": \"" + UUID.randomUUID() + "\", \"type\": \"scroll\", \"userId\": \"u1\", \"properties\": "
                + fields(48).replace("{", "{\"rapid\": null, \"depthPx\": 3, ") + "}]}";
        assertThat(reader.events(ok.getBytes(StandardCharsets.UTF_8), NOW, (u, a) -> u).rejected()).isEmpty();
    }

    /** Properties with {@code n} fields (a depth and n - 1 others): at most 50 are allowed. */
    static String fields(int n) {
        StringBuilder b = new StringBuilder("{\"depth\": 0.5");
        for (int i = 1; i < n; i++) b.append(", \"f").append(i).append("\": ").append(i);
        return b.append('}').toString();
    }

    @Test
    void aStringInPropertiesThatIsNotUtf8IsAJsonErrorAsBefore() throws IOException {
        // Properties are scanned, not read into trees, but their strings are still decoded: bytes that are not UTF-8
        // are refused as before (the record carries these bytes as sent).
        String before = "{\"batch\": [{\"eventId\": \"" + UUID.randomUUID() + "\", \"type\": \"scroll\", \"userId\": \"u1\", "
                + "\"properties\": {\"depth\": 0.5, \"note\": \"";
        for (byte[] bad : List.of(new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xC3, 'x'}, new byte[] {(byte) 0xE2, (byte) 0x82})) {
            byte[] body = concat(before.getBytes(StandardCharsets.UTF_8), bad, "\"}}]}".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> reader.events(body, NOW, (u, a) -> u)).isInstanceOf(JsonProcessingException.class);
        }
        byte[] euro = concat(before.getBytes(StandardCharsets.UTF_8), "\u20ac".getBytes(StandardCharsets.UTF_8), "\"}}]}".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(reader.events(euro, NOW, (u, a) -> u).items().get(0).value(), StandardCharsets.UTF_8)).contains("\"note\": \"\u20ac\"");
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) out.writeBytes(part);
        return out.toByteArray();
    }

    @Provide
    Arbitrary<List<Part>> items() {
        Arbitrary<String> type = Arbitraries.of("\"scroll\"", "\"product_view\"", "\"page_view\"", "\"nope\"", "3");
        Arbitrary<String> user = Arbitraries.of("\"u1\"", "\"  \\u00fcser \"", "\"\\\"quoted\\\"\"", "null", "\"caf\u00e9 \u2603\"");
        Arbitrary<String> props = Arbitraries.of("{\"depth\": 0.5}", "{ \"depth\" : 1e-1 , \"velocity\": 4000 }", "{\"depthPx\": 120}",
                "{\"productId\": \"p\\u0031\", \"category\": \"dr\u00e9sses\", \"quantity\": 2}", "{\"productId\": \"p\", \"quantity\": 0}",
                "{\"productId\": \"p \\\" } { \\\\\", \"category\": \" spaced  out \"}",
                "{}", "[]", "null", "{\"depth\": \"deep\"}", "{\"a\": {\"b\": [1, {\"c\": null}]}, \"depth\": 0}",
                // Properties each check refuses, on both paths (scanned from UTF-8 bytes, from trees for UTF-16), and fields given twice.
                "{\"depth\": 0.5, \"depth\": 2}", "{\"depth\": 2, \"depth\": 0.5}", "{\"productId\": null, \"category\": \"x\"}",
                "{\"productId\": \"p\", \"quantity\": 2.0}", "{\"productId\": \"p\", \"quantity\": 20000}", "{\"depth\": true}",
                "{\"depth\": 0.5, \"velocity\": -1}", "{\"depth\": null, \"depthPx\": null}", "{\"depthPx\": 5, \"rapid\": \"yes\"}",
                "{\"depth\": 1, \"price\": \"12\", \"productId\": [\"p\"]}", "{\"depth\": 0.1, \"productId\": {\"id\": \"p\"}}",
                "{\"depth\": 1E0, \"quantity\": 1, \"productId\": \"p\", \"value\": 123456789012345678901234567890}",
                fields(50), fields(51)).injectNull(0.2);
        Arbitrary<String> context = Arbitraries.of("{\"timezone\": \"Europe/Berlin\"}", "{\"device\": {\"type\": \"mobile\", \"os\": \"ios\"}}",
                "{\"timezone\": \"Mars/Olympus\"}", "\"mobile\"", "null", "{ }").injectNull(0.3);
        Arbitrary<String> timestamp = Arbitraries.of("\"2026-12-07T09:00:00Z\"", "\"2026-12-07T10:00:00+02:00\"", "\"soon\"", "null", "12")
                .injectNull(0.5);
        Arbitrary<Boolean> noId = Arbitraries.of(false, false, false, true);
        return Combinators.combine(type, user, props, context, timestamp, noId).as(Part::new).list().ofMinSize(0).ofMaxSize(5);
    }
}
