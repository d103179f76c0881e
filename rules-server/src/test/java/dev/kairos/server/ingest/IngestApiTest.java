package dev.kairos.server.ingest;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;

class IngestApiTest {
    static TestServer server;
    static Http http;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Records of {@code topic} whose key starts with {@code keyPrefix}, polling until there are {@code atLeast}. */
    static List<ConsumerRecord<String, String>> read(String topic, int atLeast, String keyPrefix) {
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < atLeast && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key().startsWith(keyPrefix)) out.add(r);
                });
            }
            return out;
        }
    }

    @Test
    void acceptsTheGoodEventsOfABatchAndRejectsTheBadOnesByIndex() throws Exception {
        Events batch = Events.batch()
                .add("ingest-u1", "scroll", "{\"depth\": 0.5}")
                .addRaw("{\"eventId\": \"not-a-uuid\", \"type\": \"click\", \"userId\": \"ingest-u1\", \"properties\": {\"target\": \"x\"}}")
                .add("ingest-u1", "search", "{}")
                .add("ingest-u1", "teleport", "{}")
                .add("ingest-u1", "scroll", "{\"depth\": 1.5}")
                .addRaw("{\"eventId\": \"0b8e6f84-9a1f-4c1e-9d55-2b6f2a0c4e11\", \"type\": \"page_view\"}")
                .add("ingest-u2", "product_view", "{\"productId\": \"p-9\", \"category\": \"dresses\"}");
        Http.Response r = http.postJson("/v1/events", WRITE_KEY, batch.json());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.get("accepted").asInt()).isEqualTo(2);
        assertThat(body.get("duplicates").asInt()).isZero();
        assertThat(body.get("rejected")).extracting(j -> j.get("index").asInt() + ":" + j.get("code").asText() + ":" + j.get("field").asText())
                .containsExactly("1:invalid_value:batch[1].eventId", "2:missing_field:batch[2].properties.query",
                        "3:invalid_value:batch[3].type", "4:out_of_range:batch[4].properties.depth", "5:missing_field:batch[5].userId");

        List<ConsumerRecord<String, String>> records = read(server.namespace + ".events", 2, "ingest-u");
        assertThat(records).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("ingest-u1", "ingest-u2");
        JsonNode first = JSON.readTree(records.stream().filter(x -> x.key().equals("ingest-u1")).findFirst().orElseThrow().value());
        assertThat(first.get("type").asText()).isEqualTo("scroll");
        assertThat(first.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(first.get("eventId").asText()).isEqualTo(batch.ids().get(0));
        assertThat(first.get("receivedAt").asLong()).isPositive();
    }

    @Test
    void refusesTimestampsBeforeTheYear2000AndNulCharactersInIds() {
        Events batch = Events.batch()
                .addRaw("{\"eventId\": \"" + java.util.UUID.randomUUID() + "\", \"type\": \"page_view\", \"userId\": \"ingest-t\", "
                        + "\"timestamp\": \"-300000000-01-01T00:00:00Z\"}")
                .addRaw("{\"eventId\": \"" + java.util.UUID.randomUUID() + "\", \"type\": \"page_view\", \"userId\": \"a\\u0000b\"}")
                .add("ingest-t", "page_view", "{}");
        Http.Response r = http.postJson("/v1/events", WRITE_KEY, batch.json());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("accepted").asInt()).isEqualTo(1);
        assertThat(r.json().get("rejected")).extracting(j -> j.get("index").asInt() + " " + j.get("code").asText() + " " + j.get("field").asText())
                .containsExactly("0 out_of_range batch[0].timestamp", "1 invalid_value batch[1].userId");
    }

    @Test
    void batchesAreReadAndFinishedOnIngestsOwnFixedPool() {
        // The pool as its metrics see it (Micronaut wraps the executor to time it).
        io.micrometer.core.instrument.MeterRegistry meters = server.server.getApplicationContext().getBean(io.micrometer.core.instrument.MeterRegistry.class);
        java.util.function.Function<String, Double> meter = name -> meters.get(name).tag("name", IngestService.EXECUTOR).meter().measure().iterator().next().getValue();
        assertThat(meter.apply("executor.pool.max")).as("fixed, two threads per core")
                .isEqualTo(meter.apply("executor.pool.core")).isEqualTo(2.0 * Runtime.getRuntime().availableProcessors());
        double before = meter.apply("executor.completed");
        int batches = 5;
        for (int i = 0; i < batches; i++) {
            Http.Response r = http.postJson("/v1/events", WRITE_KEY, Events.batch().add("ingest-pool-" + i, "page_view", "{}").json());
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        // Two tasks a batch on this pool: the request (read, sent to Kafka) and its finishing after the acknowledgement.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> meter.apply("executor.completed") - before >= 2.0 * batches);
    }

    @Test
    void aRetriedBatchIsAnsweredAsDuplicates() {
        Events batch = Events.batch().add("ingest-dup", "click", "{\"target\": \"buy\"}").add("ingest-dup", "click", "{\"target\": \"buy\"}");
        assertThat(http.postJson("/v1/events", WRITE_KEY, batch.json()).json().get("accepted").asInt()).isEqualTo(2);
        JsonNode again = http.postJson("/v1/events", WRITE_KEY, batch.json()).json();
        assertThat(again.get("accepted").asInt()).isZero();
        assertThat(again.get("duplicates").asInt()).isEqualTo(2);
    }

    @Test
    void eventsAndOutcomesAreDeDuplicatedApart() {
        // The same UUID as an event id and as an outcome id: two different items, both accepted.
        String id = java.util.UUID.randomUUID().toString();
        Events event = Events.batch().addRaw("{\"eventId\": \"" + id + "\", \"type\": \"page_view\", \"userId\": \"ingest-apart\"}");
        assertThat(http.postJson("/v1/events", WRITE_KEY, event.json()).json().get("accepted").asInt()).isEqualTo(1);
        String outcome = "{\"batch\": [{\"outcomeId\": \"" + id + "\", \"decisionId\": \"d-apart\", \"placement\": \"home_banner\", "
                + "\"type\": \"click\", \"userId\": \"ingest-apart\"}]}";
        assertThat(http.postJson("/v1/outcomes", WRITE_KEY, outcome).json().get("accepted").asInt()).isEqualTo(1);
        assertThat(http.postJson("/v1/outcomes", WRITE_KEY, outcome).json().get("duplicates").asInt()).isEqualTo(1);
        assertThat(http.postJson("/v1/events", WRITE_KEY, event.json()).json().get("duplicates").asInt()).isEqualTo(1);
    }

    @Test
    void keepsUuidIdsAsTheir128Bits() throws Exception {
        BatchReader reader = new BatchReader(new ObjectMapper(), new IngestConfig(500, 32768, 250000));
        java.time.Instant now = java.time.Instant.now();
        String id = java.util.UUID.randomUUID().toString();
        String upper = id.toUpperCase(java.util.Locale.ROOT);
        BatchReader.Batch events = reader.events(("{\"batch\": ["
                + "{\"eventId\": \"" + id + "\", \"type\": \"page_view\", \"userId\": \"u\"},"
                + "{\"eventId\": \"" + upper + "\", \"type\": \"page_view\", \"userId\": \"u\"}]}").getBytes(StandardCharsets.UTF_8), now, (u, a) -> u);
        assertThat(events.items()).extracting(BatchReader.Item::id).containsExactly(java.util.UUID.fromString(id), java.util.UUID.fromString(id));
        // Written back in the canonical lower-case form, whatever the client's case.
        assertThat(new String(events.items().get(1).value(), StandardCharsets.UTF_8)).contains("\"eventId\":\"" + id + "\"");
        // An outcome without an outcomeId is known by decision/placement/type: one click, one impression.
        BatchReader.Batch outcomes = reader.outcomes(("{\"batch\": ["
                + "{\"decisionId\": \"d-123456789012345678\", \"placement\": \"home_banner\", \"type\": \"click\", \"userId\": \"u\"},"
                + "{\"decisionId\": \"d-123456789012345678\", \"placement\": \"home_banner\", \"type\": \"click\", \"userId\": \"u\"},"
                + "{\"decisionId\": \"d-123456789012345678\", \"placement\": \"home_banner\", \"type\": \"impression\", \"userId\": \"u\"}]}").getBytes(StandardCharsets.UTF_8), now, (u, a) -> u);
        assertThat(outcomes.items()).extracting(BatchReader.Item::id).containsExactly(
                BatchReader.outcomeKey("d-123456789012345678", "home_banner", "click"),
                BatchReader.outcomeKey("d-123456789012345678", "home_banner", "click"),
                BatchReader.outcomeKey("d-123456789012345678", "home_banner", "impression"));
        assertThat(outcomes.items().get(0).id()).isNotEqualTo(outcomes.items().get(2).id());
    }

    @Test
    void acceptsAGzipBody() throws Exception {
        byte[] json = Events.batch().add("ingest-gz", "task_created", "{}").json().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(json);
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.server.getURI() + "/v1/events"))
                .header("Authorization", "Bearer " + WRITE_KEY).header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(gz.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("accepted").asInt()).isEqualTo(1);
    }

    @Test
    void aBatchWithNothingValidIsA400ListingEveryItem() {
        Http.Response r = http.postJson("/v1/events", WRITE_KEY, Events.batch().add("u", "teleport", "{}").json());
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("code").asText()).isEqualTo("invalid_batch");
        assertThat(r.json().get("rejected")).hasSize(1);
    }

    @Test
    void envelopeErrorsAndLimitsAre400s() {
        assertThat(http.postJson("/v1/events", WRITE_KEY, "{}").json().get("error").get("field").asText()).isEqualTo("batch");
        assertThat(http.postJson("/v1/events", WRITE_KEY, "{\"batch\": {}}").status()).isEqualTo(400);
        Events many = Events.batch();
        for (int i = 0; i < 501; i++) many.add("u", "task_created", "{}");
        Http.Response tooMany = http.postJson("/v1/events", WRITE_KEY, many.json());
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.json().get("error").get("code").asText()).isEqualTo("too_many");
        Http.Response big = http.postJson("/v1/events", WRITE_KEY,
                Events.batch().add("u", "custom", "{\"name\": \"x\", \"blob\": \"" + "y".repeat(40_000) + "\"}").json());
        assertThat(big.json().get("rejected").get(0).get("code").asText()).isEqualTo("too_large");
        assertThat(http.postJson("/v1/events", null, many.json()).status()).isEqualTo(401);
        assertThat(http.post("/v1/events", WRITE_KEY, "application/json", "{\"batch\": [").status()).isEqualTo(400);
        // A field given twice, in an event or in its properties, makes the body invalid JSON, as for every endpoint.
        for (String twice : List.of("{\"type\": \"page_view\", \"type\": \"click\", \"userId\": \"u\"}",
                "{\"type\": \"scroll\", \"userId\": \"u\", \"properties\": {\"depth\": 0.1, \"depth\": 0.9}}")) {
            Http.Response r = http.postJson("/v1/events", WRITE_KEY, "{\"batch\": [" + twice.replace("{\"type", "{\"eventId\": \"" + java.util.UUID.randomUUID() + "\", \"type") + "]}");
            assertThat(r.status()).as(twice).isEqualTo(400);
            assertThat(r.json().get("error").get("code").asText()).isEqualTo("invalid_json");
            assertThat(r.json().get("error").get("message").asText()).contains("a field appears twice (" + (twice.contains("depth") ? "depth" : "type") + ")");
        }
    }

    @Test
    void outcomesGoToTheirOwnTopicKeyedByUser() throws Exception {
        Http.Response r = http.postJson("/v1/outcomes", WRITE_KEY, """
                {"batch": [
                  {"decisionId": "d-1", "placement": "home_banner", "type": "impression", "userId": "out-u1", "rule": "Evening restaurant offer"},
                  {"decisionId": "d-1", "placement": "home_banner", "type": "click", "userId": "out-u1"},
                  {"decisionId": "d-1", "placement": "home_banner", "type": "purchase", "userId": "out-u1"},
                  {"placement": "home_banner", "type": "click", "userId": "out-u1"}
                ]}""");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("accepted").asInt()).isEqualTo(2);
        assertThat(r.json().get("rejected")).extracting(j -> j.get("field").asText())
                .containsExactly("batch[2].type", "batch[3].decisionId");
        List<ConsumerRecord<String, String>> records = read(server.namespace + ".outcomes", 2, "out-u1");
        assertThat(records).extracting(ConsumerRecord::key).containsOnly("out-u1");
        assertThat(records).extracting(x -> JSON.readTree(x.value()).get("type").asText()).containsExactly("impression", "click");
        assertThat(http.postJson("/v1/outcomes", WRITE_KEY, r.body().isEmpty() ? "" : """
                {"batch": [{"decisionId": "d-1", "placement": "home_banner", "type": "click", "userId": "out-u1"}]}""")
                .json().get("duplicates").asInt()).isEqualTo(1);
    }
}
