package dev.kairos.e2e.fault;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.kafka.LocalKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.kairos.e2e.fault.Platform.ADMIN_KEY;
import static dev.kairos.e2e.fault.Platform.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The scale-out contract on real JVMs: a 3-broker KRaft cluster (replication 3, min.insync 2) and
 * two rules-server instances of one deployment, in each signals mode. Events ingested on B change
 * decisions on A for users whose partitions A does not own; a version uploaded and canaried
 * through A is served by B within a second; kill -9 of a broker during ingest loses no
 * acknowledged event; kill -9 of B: A takes over B's partitions and serves every user's current
 * signals within 30 s, with no 5xx meanwhile.
 */
@Tag("fault")
class ClusterTest {
    static final int USERS = 16;
    static final String PACK = """
            package com.acme.cluster;
            rule "Engaged shopper" when
                $p : Placement( name == "home_banner" )
                Signals( productViews >= 3 )
            then adapt($p).content("engaged-%1$s").priority(90); end
            rule "Cluster banner" when
                $p : Placement( name == "home_banner" )
            then adapt($p).content("cluster-%1$s").priority(50); end
            """;

    static Path data;
    static LocalKafkaCluster kafka;

    @BeforeAll
    static void startCluster() throws IOException {
        data = Files.createTempDirectory("kairos-cluster");
        kafka = LocalKafkaCluster.start(data.resolve("kafka"), 3, 0, "384m", null);
    }

    @AfterAll
    static void stopCluster() {
        if (kafka != null) kafka.close();
        Platform.keepLogs(data);
    }

    /** One rules-server instance of the deployment {@code mode}. */
    record Instance(String name, int port, Process process) {
        String address() { return "127.0.0.1:" + port; }
    }

    static Instance start(String mode, String name) {
        int port = Platform.freePort();
        Path dir = data.resolve(mode).resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("KAIROS_DATA_DIR", dir.toString());
        env.put("KAIROS_RULES_PORT", String.valueOf(port));
        env.put("KAIROS_SIGNALS_MODE", mode);
        env.put("KAIROS_STREAMS_APPLICATION_ID", "kairos-signals-" + mode);
        env.put("KAIROS_TOPIC_REPLICATION", "3");
        for (String topic : List.of("events", "outcomes", "signals")) env.put("KAIROS_TOPICS_" + topic.toUpperCase(), mode + "." + topic);
        for (String topic : List.of("decisions", "weights", "experiments", "rules")) env.put("KAIROS_TOPIC_" + topic.toUpperCase(), mode + "." + topic);
        return new Instance(name, port, Platform.startJvm(data.resolve(mode + "-" + name + ".log"), Platform.rulesServerJar(), env));
    }

    static String upload(Instance on, String tag) {
        HttpResponse<String> uploaded = Platform.postText(on.port(), "/v1/rules/versions?name=cluster.drl", ADMIN_KEY, PACK.formatted(tag));
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
        return Platform.json(uploaded.body()).get("id").asText();
    }

    static boolean ready(Instance on, String version) {
        return Platform.json(Platform.get(on.port(), "/v1/rules/versions/" + version, ADMIN_KEY).body()).get("ready").asBoolean();
    }

    static HttpResponse<String> activate(Instance on, String version, Integer canaryPercent) {
        return Platform.post(on.port(), "/v1/rules/versions/" + version + "/activate", ADMIN_KEY,
                canaryPercent == null ? "{}" : "{\"canaryPercent\": " + canaryPercent + "}");
    }

    static String user(int i) {
        return "cluster-user-" + i;
    }

    static HttpResponse<String> decide(Instance on, String user) {
        return Platform.post(on.port(), "/v1/decide", WRITE_KEY, "{\"userId\": \"" + user + "\", \"placements\": [\"home_banner\"]}");
    }

    static JsonNode signals(Instance on, String user) {
        HttpResponse<String> r = Platform.get(on.port(), "/v1/users/" + user + "/signals", ADMIN_KEY);
        return r.statusCode() == 200 ? Platform.json(r.body()) : null;
    }

    static String event(String id, String user, String type, String props) {
        return "{\"eventId\": \"" + id + "\", \"type\": \"" + type + "\", \"userId\": \"" + user + "\", \"sessionId\": \"s-1\", \"properties\": " + props + "}";
    }

    static HttpResponse<String> ingest(Instance on, List<String> events) {
        return Platform.post(on.port(), "/v1/events", WRITE_KEY, "{\"batch\": [" + String.join(",", events) + "]}");
    }

    @ParameterizedTest(name = "signals mode {0}")
    @ValueSource(strings = {"global", "partitioned"})
    void twoInstancesOnThreeBrokersShareOneTruth(String mode) {
        Instance a = start(mode, "a");
        Instance b = start(mode, "b");
        try {
            Platform.awaitHealthy(a.port(), a.process(), data);
            Platform.awaitHealthy(b.port(), b.process(), data);

            // 1. Events ingested on B change decisions on A, also for users whose partition A does not own
            // (under a pack, activated through B, whose rule answers to stored signals).
            assertThat(activate(b, upload(b, mode), null).statusCode()).isEqualTo(200);
            List<String> events = new ArrayList<>();
            for (int i = 0; i < USERS; i++) {
                for (int v = 0; v < 3; v++) events.add(event(UUID.randomUUID().toString(), user(i), "product_view", "{\"productId\": \"p" + v + "\", \"category\": \"shoes\"}"));
            }
            assertThat(Platform.json(ingest(b, events).body()).get("accepted").asInt()).isEqualTo(USERS * 3);
            Map<String, String> owners = new HashMap<>();
            // Until the engine's group has given both instances partitions: healthy instances may still be rebalancing,
            // and until then A can own every partition (then no user is owned by B, and the point below is not tested).
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                owners.clear();
                for (int i = 0; i < USERS; i++) {
                    HttpResponse<String> r = decide(a, user(i));
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    assertThat(Platform.json(r.body()).get("adaptations").get(0).get("contentId").asText()).isEqualTo("engaged-" + mode);
                    JsonNode s = signals(a, user(i));
                    assertThat(s).isNotNull();
                    assertThat(s.get("owner").isNull()).as("owner known").isFalse();
                    owners.put(user(i), s.get("owner").asText());
                }
                assertThat(new HashSet<>(owners.values())).as("owners of the users' partitions").contains(a.address(), b.address());
            });
            List<String> ownedByB = owners.entrySet().stream().filter(e -> e.getValue().equals(b.address())).map(Map.Entry::getKey).sorted().toList();
            assertThat(ownedByB).as("users whose partition B owns, decided on A").isNotEmpty();
            assertThat(new HashSet<>(owners.values())).containsExactlyInAnyOrder(a.address(), b.address());

            // 2. A canary through A is served by B within a second (B warmed up first: the point is the
            // propagation, not a just-started JVM compiling its decide path).
            for (int i = 0; i < 200; i++) decide(b, "warm-up-" + i);
            String version = upload(a, mode + "-canary");
            // Every instance compiles and warms a new upload in the background; activating it then switches at once.
            await().atMost(Duration.ofSeconds(30)).until(() -> ready(a, version) && ready(b, version));
            long t0 = System.nanoTime();
            HttpResponse<String> canary = activate(a, version, 50);
            assertThat(canary.statusCode()).as(canary.body()).isEqualTo(200);
            long activateMs = (System.nanoTime() - t0) / 1_000_000;
            t0 = System.nanoTime();
            String inCanary = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "canary-probe-" + i)
                    .filter(u -> dev.kairos.server.rules.RuleRegistry.bucket(version, u) < 5000).findFirst().orElseThrow();
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).until(() -> {
                JsonNode d = Platform.json(decide(b, inCanary).body());
                return d.get("rulesVersion").asText().equals(version) && d.get("canary").asBoolean();
            });
            long canaryMs = (System.nanoTime() - t0) / 1_000_000;
            // Both instances route every user alike.
            for (int i = 0; i < 20; i++) {
                String u = "route-probe-" + i;
                assertThat(Platform.json(decide(b, u).body()).get("canary")).as(u).isEqualTo(Platform.json(decide(a, u).body()).get("canary"));
            }
            assertThat(Platform.post(a.port(), "/v1/rules/promote", ADMIN_KEY, "{}").statusCode()).isEqualTo(200);

            // 3. kill -9 one broker while both instances ingest: every acknowledged event is on the topic.
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger refused = new AtomicInteger();
            AtomicBoolean ingesting = new AtomicBoolean(true);
            List<Thread> writers = new ArrayList<>();
            for (Instance on : List.of(a, b)) {
                Thread t = new Thread(() -> {
                    int n = 0;
                    while (ingesting.get()) {
                        List<String> ids = new ArrayList<>();
                        List<String> batch = new ArrayList<>();
                        for (int k = 0; k < 20; k++) {
                            String id = UUID.randomUUID().toString();
                            ids.add(id);
                            batch.add(event(id, "load-" + on.name() + "-" + (n++ % 50), "page_view", "{\"category\": \"home\"}"));
                        }
                        try {
                            HttpResponse<String> r = ingest(on, batch);
                            if (r.statusCode() == 200 && Platform.json(r.body()).get("accepted").asInt() == ids.size()) acknowledged.addAll(ids);
                            else refused.incrementAndGet();
                        } catch (UncheckedIOException e) {
                            refused.incrementAndGet();
                        }
                    }
                }, "ingest-" + on.name());
                t.start();
                writers.add(t);
            }
            Platform.sleep(2000);
            int beforeKill = acknowledged.size();
            kafka.node(2).kill();
            Platform.sleep(4000);
            ingesting.set(false);
            for (Thread t : writers) join(t);
            Set<String> onTopic = Platform.idsIn(kafka.bootstrapServers(), mode + ".events", "eventId");
            Set<String> lost = new HashSet<>(acknowledged);
            lost.removeAll(onTopic);
            assertThat(acknowledged).hasSizeGreaterThan(100);
            assertThat(lost).as("acknowledged events missing after a broker was killed").isEmpty();
            kafka.node(2).start();

            // 4. kill -9 B: A takes over B's partitions and serves every user's current signals within 30 s, no 5xx meanwhile.
            Map<String, Integer> expected = new HashMap<>();
            for (int i = 0; i < USERS; i++) expected.put(user(i), signals(a, user(i)).get("events").asInt());
            AtomicInteger errors = new AtomicInteger();
            AtomicInteger answered = new AtomicInteger();
            List<String> errorSamples = new ArrayList<>();
            AtomicBoolean deciding = new AtomicBoolean(true);
            Thread decider = new Thread(() -> {
                while (deciding.get()) {
                    for (int i = 0; i < USERS && deciding.get(); i++) {
                        try {
                            HttpResponse<String> r = decide(a, user(i));
                            if (r.statusCode() >= 500) {
                                errors.incrementAndGet();
                                synchronized (errorSamples) { errorSamples.add(r.statusCode() + " " + r.body()); }
                            } else {
                                answered.incrementAndGet();
                            }
                        } catch (UncheckedIOException e) {
                            errors.incrementAndGet();
                            synchronized (errorSamples) { errorSamples.add(e.toString()); }
                        }
                    }
                }
            }, "decide-on-a");
            decider.start();
            Platform.kill(b.process());
            long killed = System.nanoTime();
            // New events for B's users, through A: they count once A's signal engine owns B's partitions.
            List<String> more = new ArrayList<>();
            for (String u : ownedByB) more.add(event(UUID.randomUUID().toString(), u, "page_view", "{\"category\": \"home\"}"));
            await().atMost(Duration.ofSeconds(10)).until(() -> ingest(a, more).statusCode() == 200);
            for (String u : ownedByB) expected.merge(u, 1, Integer::sum);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                for (int i = 0; i < USERS; i++) {
                    JsonNode s = signals(a, user(i));
                    assertThat(s).as(user(i)).isNotNull();
                    assertThat(s.get("events").asInt()).as(user(i)).isEqualTo(expected.get(user(i)));
                    assertThat(s.get("owner").asText()).isEqualTo(a.address());
                }
            });
            long takeoverMs = (System.nanoTime() - killed) / 1_000_000;
            deciding.set(false);
            join(decider);
            assertThat(errorSamples).as("5xx or failed decides on A while B was gone").isEmpty();
            assertThat(errors.get()).isZero();
            assertThat(answered.get()).isPositive();
            Platform.report("cluster-" + mode, "activate_ms=" + activateMs + " canary_visible_on_b_ms=" + canaryMs + " users_owned_by_b=" + ownedByB.size()
                    + " acknowledged=" + acknowledged.size() + " acknowledged_before_kill=" + beforeKill + " refused_batches=" + refused.get() + " lost=" + lost.size()
                    + " takeover_ms=" + takeoverMs + " decides_during_takeover=" + answered.get() + " errors=" + errors.get());
        } finally {
            for (Instance i : List.of(a, b)) {
                if (i.process().isAlive()) Platform.terminate(i.process());
            }
        }
    }

    private static void join(Thread t) {
        try {
            t.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
