package dev.kairos.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs the README's {@code ./kairos start} for real (the packaged jars of this build, its own
 * ports and data folder): it starts a Kafka broker, both services become healthy, a decision and
 * an event batch work with the generated key, the keys persist, and SIGTERM stops everything it
 * started, the broker last.
 */
class KairosStartTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final int RULES_PORT = 18180;
    static final int FEEDBACK_PORT = 18181;
    static final int KAFKA_PORT = 18192;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void startsThePlatformAnswersADecisionAndStopsEverythingOnSigterm(@TempDir Path data) throws Exception {
        Path log = data.resolve("start.log");
        ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("kairos").toString(), "start")
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("KAIROS_WRITE_KEYS");
        pb.environment().remove("KAIROS_ADMIN_KEY");
        pb.environment().put("KAIROS_DATA_DIR", data.toString());
        pb.environment().put("KAIROS_RULES_PORT", String.valueOf(RULES_PORT));
        pb.environment().put("KAIROS_FEEDBACK_PORT", String.valueOf(FEEDBACK_PORT));
        pb.environment().put("KAIROS_SKIP_BUILD", "1");
        pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
        pb.environment().put("KAIROS_KAFKA_PORT", String.valueOf(KAFKA_PORT));
        // The JIT flags of every JVM the tests start (TestJvms): a faster start.
        pb.environment().put("KAIROS_JAVA_OPTS", TestJvms.jitOptions());
        pb.environment().put("KAIROS_KAFKA_JAVA_OPTS", TestJvms.jitOptions());
        // The Tier-1 base layer: a feed file, and popular items from the real feedback service (from 20 shows)
        Path feed = data.resolve("base.yaml");
        Files.writeString(feed, "items:\n  - {placement: product_page, content: spring-bundle, format: carousel, cta: See the bundle}\n");
        pb.environment().put("KAIROS_BASE_FEED", feed.toString());
        pb.environment().put("KAIROS_BASE_POPULAR_MIN_IMPRESSIONS", "20");
        // Cross-channel triggers go to a receiver in this JVM: it checks signatures, acts once per key, and starts out down.
        java.util.concurrent.atomic.AtomicInteger receiverAnswer = new java.util.concurrent.atomic.AtomicInteger(503);
        java.util.Map<String, Integer> receiverRequests = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Map<String, String> receiverEffects = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.List<String> badSignatures = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
            receiverRequests.merge(key, 1, Integer::sum);
            int status = receiverAnswer.get();
            if (!hmac("whsec_e2e", body).equals(ex.getRequestHeaders().getFirst("X-Kairos-Signature"))) {
                badSignatures.add(key);
                status = 401;
            } else if (status == 200) {
                receiverEffects.putIfAbsent(key, new String(body, StandardCharsets.UTF_8));
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        receiver.start();
        pb.environment().put("KAIROS_TRIGGER_WEBHOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks");
        pb.environment().put("KAIROS_TRIGGER_WEBHOOK_SECRET", "whsec_e2e");
        pb.environment().put("KAIROS_TRIGGER_BACKOFF", "300ms");
        Process kairos = pb.start();
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(
                    () -> !kairos.isAlive() || Files.readString(log).contains("Kairos is running"));
            assertThat(kairos.isAlive()).as(Files.readString(log)).isTrue();

            assertThat(get("http://127.0.0.1:" + RULES_PORT + "/health").body()).contains("UP");
            assertThat(get("http://127.0.0.1:" + FEEDBACK_PORT + "/health").body()).contains("UP");

            Properties keys = new Properties();
            keys.load(Files.newBufferedReader(data.resolve("keys.env"), StandardCharsets.UTF_8));
            String writeKey = keys.getProperty("KAIROS_WRITE_KEYS");
            assertThat(writeKey).startsWith("wk_");
            assertThat(Files.readString(log)).contains(writeKey).contains(keys.getProperty("KAIROS_ADMIN_KEY"));

            HttpResponse<String> decision = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RULES_PORT + "/v1/decide"))
                    .header("Authorization", "Bearer " + writeKey).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"userId": "u1", "placements": ["home_banner"], "context": {"location": {"placeType": "restaurant"},
                             "timezone": "Europe/Berlin", "timestamp": "2026-11-23T18:30:00Z"}}""")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(decision.statusCode()).isEqualTo(200);
            JsonNode body = new ObjectMapper().readTree(decision.body());
            assertThat(body.get("adaptations").get(0).get("rule").asText()).isEqualTo("Evening restaurant offer");

            HttpResponse<String> events = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RULES_PORT + "/v1/events"))
                    .header("Authorization", "Bearer " + writeKey).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"batch\": [{\"eventId\": \"" + java.util.UUID.randomUUID()
                            + "\", \"type\": \"task_created\", \"userId\": \"u1\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(events.statusCode()).as(events.body()).isEqualTo(200);
            assertThat(events.body()).contains("\"accepted\":1");

            // The dashboard's "rules that never fire" asks the real rules-server (the launcher sets the URL) for its rules.
            HttpResponse<String> activity = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + FEEDBACK_PORT + "/v1/rule-activity"))
                    .header("Authorization", "Bearer " + keys.getProperty("KAIROS_ADMIN_KEY")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(activity.statusCode()).as(activity.body()).isEqualTo(200);
            JsonNode rules = new ObjectMapper().readTree(activity.body());
            assertThat(rules.get("available").asBoolean()).as(activity.body()).isTrue();
            assertThat(rules.get("versions").has("active")).as(activity.body()).isTrue();
            assertThat(activity.body()).contains("\"rule\":\"Evening restaurant offer\"");

            // The dashboard's canary controls drive the real rules-server through feedback-service, and its
            // versions table then says what rules-server says (no stale "in canary" after promote and roll back).
            String admin = keys.getProperty("KAIROS_ADMIN_KEY");
            HttpResponse<String> uploaded = send("POST", "http://127.0.0.1:" + RULES_PORT + "/v1/rules/versions?name=winter.drl", admin, "text/plain", """
                    package acme.winter;
                    rule "Winter sale" when $p : Placement( name == "home_banner" ) then adapt($p).content("winter"); end
                    """);
            assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
            String v2 = new ObjectMapper().readTree(uploaded.body()).get("id").asText();
            String feedback = "http://127.0.0.1:" + FEEDBACK_PORT;
            HttpResponse<String> canary = send("POST", feedback + "/v1/rules-routing/canary", admin, "application/json",
                    "{\"version\": \"" + v2 + "\", \"percent\": 10}");
            assertThat(canary.statusCode()).as(canary.body()).isEqualTo(200);
            assertThat(state(admin).get("canary").asText()).isEqualTo(v2);
            assertThat(versionStatus(feedback, admin, v2)).isEqualTo("canary");
            long revision = state(admin).get("revision").asLong();
            assertThat(send("POST", feedback + "/v1/rules-routing/promote", admin, "application/json",
                    "{\"expectedRevision\": " + (revision - 1) + "}").statusCode()).as("a stale revision is refused").isEqualTo(409);
            assertThat(send("POST", feedback + "/v1/rules-routing/promote", admin, "application/json",
                    "{\"expectedRevision\": " + revision + "}").statusCode()).isEqualTo(200);
            assertThat(send("POST", feedback + "/v1/rules-routing/rollback", admin, "application/json", "{}").statusCode()).isEqualTo(200);
            assertThat(state(admin).get("active").asText()).isNotEqualTo(v2);
            assertThat(state(admin).path("canary").asText(null)).isNull();
            assertThat(versionStatus(feedback, admin, v2)).isEqualTo("inactive");
            HttpResponse<String> diff = send("GET", feedback + "/v1/rules-versions/diff?from=v1&to=" + v2, admin, null, null);
            assertThat(diff.statusCode()).as(diff.body()).isEqualTo(200);
            assertThat(diff.body()).contains("+rule \\\"Winter sale\\\"");

            // The decision above was recorded with its facts; a candidate replays on it through ./kairos rules replay.
            String day = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
            String tomorrow = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1).toString();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() ->
                    send("GET", feedback + "/v1/replay-log?from=" + day + "T00:00:00Z&to=" + tomorrow + "T00:00:00Z", admin, null, null)
                            .body().contains("\"rule\":\"Evening restaurant offer\""));
            Path candidate = Files.createDirectories(data.resolve("candidate"));
            Files.writeString(candidate.resolve("evening_offers.drl"), Files.readString(ROOT.resolve(
                    "rules/src/main/resources/dev/kairos/rules/packs/default/evening_offers.drl")).replace("restaurant-deals", "restaurant-deals-v2"));
            ProcessBuilder replay = new ProcessBuilder(ROOT.resolve("kairos").toString(), "rules", "replay", candidate.toString(), "--with-defaults",
                    "--from", day, "--to", tomorrow).directory(ROOT.toFile()).redirectErrorStream(true);
            replay.environment().put("KAIROS_ADMIN_KEY", admin);
            replay.environment().put("KAIROS_FEEDBACK_URL", feedback);
            Process r = replay.start();
            String output = new String(r.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(r.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(r.exitValue()).as(output).isZero();
            assertThat(output.strip().lines().reduce((a, b) -> b).orElse("")).as(output).matches("RESULT replayed=1 changed=1 est_ctr_delta=.*");
            assertThat(output).contains("shows restaurant-deals-v2");
            // ...and the dashboard's replay: feedback-service asks rules-server, which reads the recorded decisions back from feedback-service
            HttpResponse<String> dashboardReplay = send("POST", feedback + "/v1/rules-versions/" + v2 + "/replay", admin, "application/json",
                    "{\"from\": \"" + day + "\", \"to\": \"" + tomorrow + "\"}");
            assertThat(dashboardReplay.statusCode()).as(dashboardReplay.body()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(dashboardReplay.body()).get("result").asText()).startsWith("RESULT replayed=1 changed=1 ");

            // Canary guardrails on the real platform: a canary users dismiss far more is rolled back by the feedback service.
            HttpResponse<String> v3 = send("POST", "http://127.0.0.1:" + RULES_PORT + "/v1/rules/versions?name=annoying.drl", admin, "text/plain", """
                    package acme.annoying;
                    rule "Annoying popup" when $p : Placement( name == "home_banner" ) then adapt($p).content("popup").priority(90); end
                    """);
            String annoying = new ObjectMapper().readTree(v3.body()).get("id").asText();
            assertThat(send("POST", "http://127.0.0.1:" + RULES_PORT + "/v1/rules/versions/" + annoying + "/activate", admin, "application/json",
                    "{\"canaryPercent\": 50}").statusCode()).isEqualTo(200);
            StringBuilder outcomes = new StringBuilder();
            java.util.List<String> batches = new java.util.ArrayList<>();
            int n = 0;
            for (int i = 0; i < 800; i++) {
                JsonNode d = new ObjectMapper().readTree(send("POST", "http://127.0.0.1:" + RULES_PORT + "/v1/decide", writeKey, "application/json",
                        "{\"userId\": \"g" + i + "\", \"placements\": [\"home_banner\"]}").body());
                boolean canaryUser = d.get("canary").asBoolean();
                String rule = d.get("adaptations").get(0).get("rule").asText();
                for (String type : canaryUser && i % 5 < 2 || !canaryUser && i % 20 == 0 ? new String[] {"impression", "dismiss"} : new String[] {"impression"}) {
                    if (n++ > 0) outcomes.append(',');
                    outcomes.append("{\"decisionId\": \"").append(d.get("decisionId").asText()).append("\", \"placement\": \"home_banner\", \"type\": \"")
                            .append(type).append("\", \"userId\": \"g").append(i).append("\", \"rule\": \"").append(rule).append("\"}");
                    if (n == 400) {
                        batches.add("{\"batch\": [" + outcomes + "]}");
                        outcomes.setLength(0);
                        n = 0;
                    }
                }
            }
            if (n > 0) batches.add("{\"batch\": [" + outcomes + "]}");
            for (String b : batches) assertThat(send("POST", "http://127.0.0.1:" + RULES_PORT + "/v1/outcomes", writeKey, "application/json", b).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                if (state(admin).hasNonNull("canary")) send("POST", feedback + "/v1/guardrails/check", admin, "application/json", "{}");
                JsonNode changes = state(admin).get("changes");
                JsonNode last = changes.get(changes.size() - 1);
                return "guardrail".equals(last.path("by").asText()) && annoying.equals(last.path("version").asText());
            });
            JsonNode changes = state(admin).get("changes");
            assertThat(changes.get(changes.size() - 1).get("reason").asText()).startsWith("guardrail: dismiss rate +");
            assertThat(state(admin).path("canary").asText(null)).isNull();

            // The Tier-1 base layer on the real platform: the feed fills product_page before the pack default, and
            // the home banners shown above (recorded by the feedback service) come back as popular items.
            JsonNode fed = new ObjectMapper().readTree(send("POST", "http://127.0.0.1:" + RULES_PORT + "/v1/decide", writeKey, "application/json",
                    "{\"userId\": \"b1\", \"placements\": [\"product_page\"]}").body()).get("adaptations").get(0);
            assertThat(fed.get("layer").asText()).as(fed.toString()).isEqualTo("tier1");
            assertThat(fed.get("contentId").asText()).isEqualTo("spring-bundle");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    new ObjectMapper().readTree(send("POST", "http://127.0.0.1:" + RULES_PORT + "/v1/base/refresh", admin, "application/json", "")
                            .body()).path("popular").path("items").asInt() > 0);
            JsonNode popular = new ObjectMapper().readTree(send("POST", "http://127.0.0.1:" + RULES_PORT + "/v1/decide", writeKey, "application/json",
                    "{\"userId\": \"b2\", \"placements\": [\"home_banner\"]}").body());
            assertThat(popular.at("/adaptations/0/layer").asText()).as(popular.toString()).isEqualTo("tier1");
            assertThat(popular.at("/adaptations/0/contentId").asText()).isIn("home-featured", "popup");
            assertThat(popular.at("/explanation/placements/home_banner/why").asText()).contains("popular with all users");

            // Cross-channel triggers on the real platform: the default pack's abandoned-cart rule emits an email;
            // the feedback service delivers it through the receiver's outage, signed, once for two decisions.
            String cart = "{\"userId\": \"t1\", \"placements\": [\"home_banner\"], \"segments\": [\"abandoned_large_cart\"]}";
            JsonNode first = new ObjectMapper().readTree(send("POST", "http://127.0.0.1:" + RULES_PORT + "/v1/decide", writeKey, "application/json", cart).body());
            assertThat(first.at("/triggers/0/channel").asText()).as(first.toString()).isEqualTo("email");
            String key = first.at("/triggers/0/idempotencyKey").asText();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> receiverRequests.getOrDefault(key, 0) >= 2);
            assertThat(receiverEffects).doesNotContainKey(key);
            receiverAnswer.set(200);
            JsonNode second = new ObjectMapper().readTree(send("POST", "http://127.0.0.1:" + RULES_PORT + "/v1/decide", writeKey, "application/json", cart).body());
            assertThat(second.at("/triggers/0/idempotencyKey").asText()).as("the same key within the cool-down").isEqualTo(key);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> receiverEffects.containsKey(key)
                    && send("GET", feedback + "/v1/triggers?userKey=t1", admin, null, null).body().contains("\"status\":\"delivered\""));
            JsonNode deliveries = new ObjectMapper().readTree(send("GET", feedback + "/v1/triggers?userKey=t1", admin, null, null).body()).get("deliveries");
            assertThat(deliveries).as(deliveries.toString()).hasSize(1);
            assertThat(deliveries.get(0).get("attempts").asInt()).isGreaterThanOrEqualTo(3);
            assertThat(new ObjectMapper().readTree(receiverEffects.get(key)).get("name").asText()).isEqualTo("cart_reminder");
            assertThat(badSignatures).isEmpty();

            // Frequency caps on the real platform: impressions reported through the outcomes API reach the signal
            // engine, and past the rule's cap the next decision for that user is something else, explained.
            HttpResponse<String> capped = send("POST", "http://127.0.0.1:" + RULES_PORT + "/v1/rules/versions?name=capped.drl", admin, "text/plain", """
                    package acme.capped;
                    rule "Capped banner"
                        @frequencyCap("2/24h")
                    when $p : Placement( name == "home_banner" ) then adapt($p).content("capped").priority(100); end
                    """);
            assertThat(capped.statusCode()).as(capped.body()).isEqualTo(201);
            String cappedVersion = new ObjectMapper().readTree(capped.body()).get("id").asText();
            assertThat(send("POST", "http://127.0.0.1:" + RULES_PORT + "/v1/rules/versions/" + cappedVersion + "/activate", admin, "application/json", "{}")
                    .statusCode()).isEqualTo(200);
            for (int i = 0; i < 2; i++) {
                JsonNode shown = new ObjectMapper().readTree(send("POST", "http://127.0.0.1:" + RULES_PORT + "/v1/decide", writeKey, "application/json",
                        "{\"userId\": \"cap1\", \"placements\": [\"home_banner\"]}").body());
                assertThat(shown.at("/adaptations/0/contentId").asText()).isEqualTo("capped");
                assertThat(send("POST", "http://127.0.0.1:" + RULES_PORT + "/v1/outcomes", writeKey, "application/json",
                        "{\"batch\": [{\"decisionId\": \"" + shown.get("decisionId").asText() + "\", \"placement\": \"home_banner\", "
                                + "\"type\": \"impression\", \"userId\": \"cap1\", \"rule\": \"Capped banner\"}]}").statusCode()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> !new ObjectMapper().readTree(
                    send("POST", "http://127.0.0.1:" + RULES_PORT + "/v1/decide", writeKey, "application/json",
                            "{\"userId\": \"cap1\", \"placements\": [\"home_banner\"]}").body()).at("/adaptations/0/contentId").asText().equals("capped"));
            JsonNode afterCap = new ObjectMapper().readTree(send("POST", "http://127.0.0.1:" + RULES_PORT + "/v1/decide", writeKey, "application/json",
                    "{\"userId\": \"cap1\", \"placements\": [\"home_banner\"]}").body());
            assertThat(afterCap.at("/explanation/placements/home_banner/candidates").toString())
                    .contains("suppressed: frequencyCap 2/24h (2 impressions in the last 24h)");

            learningLoop(writeKey, admin);
        } finally {
            receiver.stop(0);
            kairos.destroy(); // SIGTERM
            assertThat(kairos.waitFor(30, TimeUnit.SECONDS)).as("kairos exits on SIGTERM").isTrue();
        }
        assertThat(listening(RULES_PORT)).as("rules-server stopped").isFalse();
        assertThat(listening(FEEDBACK_PORT)).as("feedback-service stopped").isFalse();
        assertThat(listening(KAFKA_PORT)).as("the broker it started stopped").isFalse();
        assertThat(Files.readString(log)).contains("kairos: stopped");
    }

    /**
     * The feedback loop on the same platform: decisions are logged to Kafka and stored by the feedback
     * service with their outcomes, show up in the KPIs; a recalibration fits new weights from them,
     * estimates them off-policy by having rules-server replay its pack on the logged decisions with
     * them, and publishes them; rules-server's next decisions carry the new {@code weightsVersion}.
     * Users click when they scrolled deep (the hidden truth), whatever their recency.
     */
    void learningLoop(String writeKey, String admin) throws Exception {
        String rules = "http://127.0.0.1:" + RULES_PORT, feedback = "http://127.0.0.1:" + FEEDBACK_PORT;
        int users = 1200;
        long shownBefore = shownJoined(feedback, admin);
        java.util.Random random = new java.util.Random(3);
        java.util.List<String> outcomes = new java.util.ArrayList<>();
        for (int i = 0; i < users; i++) {
            double r = random.nextDouble(), d = random.nextDouble(), c = random.nextDouble();
            JsonNode decision = new ObjectMapper().readTree(send("POST", rules + "/v1/decide", writeKey, "application/json", """
                    {"userId": "l%d", "placements": ["product_page"], "context": {"timezone": "Europe/Berlin"},
                     "signals": {"recency": %s, "depth": %s, "conversionProbability": %s}}""".formatted(i, r, d, c)).body());
            assertThat(decision.get("weightsVersion").asText()).isEqualTo("default");
            String id = decision.get("decisionId").asText();
            outcomes.add("{\"decisionId\": \"%s\", \"placement\": \"product_page\", \"type\": \"impression\", \"userId\": \"l%d\"}".formatted(id, i));
            if (random.nextDouble() < 1 / (1 + Math.exp(-(-3 + 6 * d)))) {
                outcomes.add("{\"decisionId\": \"%s\", \"placement\": \"product_page\", \"type\": \"click\", \"userId\": \"l%d\"}".formatted(id, i));
            }
        }
        for (int from = 0; from < outcomes.size(); from += 500) {
            HttpResponse<String> accepted = send("POST", rules + "/v1/outcomes", writeKey, "application/json",
                    "{\"batch\": [" + String.join(",", outcomes.subList(from, Math.min(outcomes.size(), from + 500))) + "]}");
            assertThat(accepted.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(accepted.body()).get("rejected")).isEmpty();
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(shownJoined(feedback, admin) - shownBefore).as("every shown placement joined to its logged decision").isEqualTo(users));

        JsonNode result = new ObjectMapper().readTree(send("POST", feedback + "/v1/recalibrate", admin, "application/json", "").body());
        assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("published");
        String version = result.get("candidate").get("version").asText();
        assertThat(result.get("candidate").get("depth").asDouble()).isGreaterThan(result.get("candidate").get("recency").asDouble());
        // before publishing, rules-server replayed the active pack on the logged decisions with the candidate weights
        JsonNode offPolicy = result.get("candidate").get("offPolicy");
        assertThat(offPolicy.get("available").asBoolean()).as(offPolicy.toString()).isTrue();
        assertThat(offPolicy.get("replayed").asLong()).isGreaterThanOrEqualTo(users);
        assertThat(offPolicy.get("ciLow").asDouble()).isLessThanOrEqualTo(offPolicy.get("ctrDelta").asDouble());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(new ObjectMapper().readTree(send("POST", rules + "/v1/decide", writeKey, "application/json",
                        "{\"userId\": \"l-next\", \"placements\": [\"product_page\"]}").body()).get("weightsVersion").asText()).isEqualTo(version));
    }

    /** Shown placements the feedback service has joined to their logged decisions (the KPIs' intent accuracy counts). */
    long shownJoined(String feedback, String admin) throws IOException, InterruptedException {
        JsonNode accuracy = new ObjectMapper().readTree(send("GET", feedback + "/v1/kpis?groupBy=placement", admin, null, null).body())
                .get("total").get("intentAccuracy");
        return accuracy.get("positives").asLong() + accuracy.get("negatives").asLong();
    }

    HttpResponse<String> send(String method, String url, String key, String type, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key);
        if (type != null) b.header("Content-Type", type);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode state(String admin) throws IOException, InterruptedException {
        return new ObjectMapper().readTree(send("GET", "http://127.0.0.1:" + RULES_PORT + "/v1/rules/state", admin, null, null).body());
    }

    /** The status feedback-service's versions report gives {@code version}. */
    String versionStatus(String feedback, String admin, String version) throws IOException, InterruptedException {
        JsonNode versions = new ObjectMapper().readTree(send("GET", feedback + "/v1/rules-versions", admin, null, null).body()).get("versions");
        for (JsonNode v : versions) if (v.get("rulesVersion").asText().equals(version)) return v.get("status").asText();
        return null;
    }

    static String hmac(String secret, byte[] body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
