package dev.kairos.e2e.fault;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * rules-server under load through two faults: the broker stopped for 30 s (decide keeps answering,
 * ingest answers 503 with Retry-After, /health turns DOWN within 2 s; afterwards every decision
 * answered 200 reaches the feedback store), and SIGTERM (zero 5xx; every decision answered 200 is
 * on the decisions topic and every event answered 2xx on the events topic); and an ingest-tier
 * instance ({@code KAIROS_ROLE=ingest}) killed with kill -9 under ingest load (every event answered
 * 200 is on the events topic; restarted on the same folder, it takes events again).
 */
@Tag("fault")
class RulesServerFaultsTest {
    @Test
    void aThirtySecondBrokerOutageCostsDelayNotData(@TempDir Path data) throws Exception {
        try (Platform p = new Platform(data).startRules().startFeedback()) {
            // A pack whose decisions carry a bandit choice and a trigger: both ride inside the decision record.
            HttpResponse<String> uploaded = Platform.postText(p.rulesPort, "/v1/rules/versions?name=learn.drl", Platform.ADMIN_KEY, """
                    package fault.learn;
                    rule "Learned banner" when $p : Placement( name == "home_banner" ) then adapt($p).content(choose("a", "b", "c")).priority(100); end
                    rule "Reminder" when Placement( name == "home_banner" ) then trigger("email", "reminder").cooldown("1h"); end
                    """);
            assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
            String version = Platform.json(uploaded.body()).get("id").asText();
            assertThat(Platform.post(p.rulesPort, "/v1/rules/versions/" + version + "/activate", Platform.ADMIN_KEY, "{}").statusCode()).isEqualTo(200);
            Set<String> answered = ConcurrentHashMap.newKeySet();
            // Answered by the rules, so carrying the choice and the trigger (not the built-in answer after a missed deadline).
            Set<String> byRules = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger users = new AtomicInteger();
            ExecutorService load = Executors.newSingleThreadExecutor();
            Future<?> deciding = load.submit(() -> {
                while (!stop.get()) {
                    com.fasterxml.jackson.databind.JsonNode answer = p.decideAnswer("user-" + users.incrementAndGet());
                    if (answer != null) {
                        String id = answer.get("decisionId").asText();
                        answered.add(id);
                        if (!answer.path("explanation").has("fallback")) byRules.add(id);
                    }
                    Platform.sleep(5);
                }
                return null;
            });
            Platform.sleep(3_000);

            p.kafka.close();
            long down = System.nanoTime();
            long healthDownMs = -1;
            while (healthDownMs < 0 && System.nanoTime() - down < TimeUnit.SECONDS.toNanos(10)) {
                if (p.get(p.rulesPort, "/health", null).statusCode() == 503) healthDownMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down);
                else Platform.sleep(50);
            }
            int answeredBefore = answered.size();
            int ingest503 = 0;
            boolean retryAfter = true;
            while (System.nanoTime() - down < TimeUnit.SECONDS.toNanos(30)) {
                HttpResponse<String> r = p.post(p.rulesPort, "/v1/events", Platform.WRITE_KEY,
                        "{\"batch\": [{\"eventId\": \"" + UUID.randomUUID() + "\", \"type\": \"page_view\", \"userId\": \"u1\"}]}");
                assertThat(r.statusCode()).as("ingest during the outage: %s", r.body()).isEqualTo(503);
                ingest503++;
                retryAfter &= r.headers().firstValue("Retry-After").isPresent();
                Platform.sleep(1_000);
            }
            int answeredDuring = answered.size() - answeredBefore;
            p.kafka.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> p.post(p.rulesPort, "/v1/events", Platform.WRITE_KEY,
                    "{\"batch\": [{\"eventId\": \"" + UUID.randomUUID() + "\", \"type\": \"page_view\", \"userId\": \"u1\"}]}").statusCode() == 200);
            Platform.sleep(2_000);
            stop.set(true);
            deciding.get(60, TimeUnit.SECONDS);
            load.shutdown();

            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> p.idsIn("kairos.decisions", "decisionId").containsAll(answered));
            p.awaitFeedbackCaughtUp("kairos.decisions", Duration.ofSeconds(120));
            Platform.terminate(p.feedback);
            Set<String> stored = new HashSet<>(p.storedDecisionIds());
            Set<String> lost = new HashSet<>(answered);
            lost.removeAll(stored);
            Set<String> lostChoices = new HashSet<>(byRules);
            lostChoices.removeAll(p.storedDecisionIds("decision_choices"));
            Set<String> lostTriggers = new HashSet<>(byRules);
            lostTriggers.removeAll(p.storedDecisionIds("trigger_deliveries"));
            Platform.report("broker stopped for 30 s under decide load",
                    "decisions answered 200=" + answered.size() + " (during the outage " + answeredDuring + ") stored=" + stored.size()
                            + " lost=" + lost.size() + " answered by the rules=" + byRules.size() + " choices lost=" + lostChoices.size() + " triggers lost=" + lostTriggers.size()
                            + " /health DOWN after " + healthDownMs + " ms, ingest answered 503 " + ingest503 + " times");
            assertThat(healthDownMs).as("/health DOWN within 2 s of losing the broker").isBetween(0L, 2_000L);
            assertThat(answeredDuring).as("decide kept answering from local state").isGreaterThan(50);
            assertThat(retryAfter).as("every 503 says when to retry").isTrue();
            assertThat(lost).as("every decision answered 200 reached the feedback store").isEmpty();
            assertThat(byRules.size()).as("most answers came from the rules, so the two checks below count something").isGreaterThan(answered.size() / 2);
            assertThat(lostChoices).as("every answered decision's bandit choice, with its propensity, reached the store").isEmpty();
            assertThat(lostTriggers).as("every answered decision's trigger reached the store").isEmpty();
        }
    }

    @Test
    void anIngestTierInstanceKilledMinus9UnderLoadLosesNoEventItAnswered(@TempDir Path data) throws Exception {
        Map<String, String> ingestTier = Map.of("KAIROS_ROLE", "ingest");
        try (Platform p = new Platform(data).startRules(ingestTier)) {
            assertThat(p.post(p.rulesPort, "/v1/decide", Platform.WRITE_KEY, "{\"userId\": \"u1\", \"placements\": [\"home_banner\"]}").statusCode())
                    .as("an ingest-tier instance does not decide").isEqualTo(421);
            Set<String> answered = ConcurrentHashMap.newKeySet();
            AtomicInteger fiveXx = new AtomicInteger();
            AtomicInteger users = new AtomicInteger();
            ExecutorService load = Executors.newFixedThreadPool(3);
            List<Future<?>> workers = new java.util.ArrayList<>();
            for (int t = 0; t < 3; t++) {
                workers.add(load.submit(() -> {
                    while (true) {
                        List<String> ids = new java.util.ArrayList<>();
                        StringBuilder batch = new StringBuilder("{\"batch\": [");
                        for (int i = 0; i < 20; i++) {
                            String id = UUID.randomUUID().toString();
                            ids.add(id);
                            batch.append(i == 0 ? "" : ",").append("{\"eventId\": \"").append(id)
                                    .append("\", \"type\": \"page_view\", \"userId\": \"user-").append(users.incrementAndGet() % 500).append("\"}");
                        }
                        HttpResponse<String> r;
                        try {
                            r = p.post(p.rulesPort, "/v1/events", Platform.WRITE_KEY, batch.append("]}").toString());
                        } catch (RuntimeException gone) {
                            return null; // connection refused or cut: the instance is gone
                        }
                        if (r.statusCode() >= 500) fiveXx.incrementAndGet();
                        if (r.statusCode() == 200 && Platform.json(r.body()).get("accepted").asInt() == ids.size()) answered.addAll(ids);
                    }
                }));
            }
            Platform.sleep(4_000);
            int answeredBeforeKill = answered.size();
            Platform.kill(p.rules);
            for (Future<?> w : workers) w.get(60, TimeUnit.SECONDS);
            load.shutdown();

            Set<String> lost = new HashSet<>(answered);
            lost.removeAll(p.idsIn("kairos.events", "eventId"));
            // Restarted on the same folder, the tier takes events again.
            p.startRules(ingestTier);
            String id = UUID.randomUUID().toString();
            HttpResponse<String> after = p.post(p.rulesPort, "/v1/events", Platform.WRITE_KEY,
                    "{\"batch\": [{\"eventId\": \"" + id + "\", \"type\": \"page_view\", \"userId\": \"u1\"}]}");
            Platform.report("ingest-tier instance kill -9 under ingest load",
                    "events answered 200=" + answered.size() + " (before the kill " + answeredBeforeKill + ") lost=" + lost.size()
                            + ", 5xx=" + fiveXx.get() + ", after a restart: " + after.statusCode());
            assertThat(answered).hasSizeGreaterThan(200);
            assertThat(fiveXx.get()).as("no 5xx before the kill").isZero();
            assertThat(lost).as("every event answered 200 is in Kafka").isEmpty();
            assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
            assertThat(Platform.json(after.body()).get("accepted").asInt()).isEqualTo(1);
            assertThat(p.idsIn("kairos.events", "eventId")).contains(id);
        }
    }

    @Test
    void sigtermUnderLoadAnswersNo5xxAndLosesNothingAnswered(@TempDir Path data) throws Exception {
        try (Platform p = new Platform(data).startRules()) {
            Set<String> decisions = ConcurrentHashMap.newKeySet();
            Set<String> events = ConcurrentHashMap.newKeySet();
            AtomicInteger fiveXx = new AtomicInteger();
            AtomicLong notAnswered = new AtomicLong();
            ExecutorService load = Executors.newFixedThreadPool(4);
            AtomicInteger users = new AtomicInteger();
            List<Future<?>> workers = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                boolean ingest = t % 2 == 1;
                workers.add(load.submit(() -> {
                    while (true) {
                        try {
                            if (ingest) {
                                List<String> ids = new java.util.ArrayList<>();
                                StringBuilder batch = new StringBuilder("{\"batch\": [");
                                for (int i = 0; i < 10; i++) {
                                    String id = UUID.randomUUID().toString();
                                    ids.add(id);
                                    batch.append(i == 0 ? "" : ",").append("{\"eventId\": \"").append(id)
                                            .append("\", \"type\": \"page_view\", \"userId\": \"user-").append(users.incrementAndGet()).append("\"}");
                                }
                                HttpResponse<String> r = p.post(p.rulesPort, "/v1/events", Platform.WRITE_KEY, batch.append("]}").toString());
                                if (r.statusCode() >= 500) fiveXx.incrementAndGet();
                                if (r.statusCode() / 100 == 2) events.addAll(ids);
                            } else {
                                String id = p.decide("user-" + users.incrementAndGet());
                                if (id != null) decisions.add(id);
                            }
                        } catch (AssertionError e) {
                            fiveXx.incrementAndGet();
                        } catch (RuntimeException gone) {
                            // connection refused or closed: the server stopped taking requests
                            notAnswered.incrementAndGet();
                            return null;
                        }
                    }
                }));
            }
            Platform.sleep(5_000);
            int exitCode = Platform.terminate(p.rules);
            for (Future<?> w : workers) w.get(60, TimeUnit.SECONDS);
            load.shutdown();

            Set<String> loggedDecisions = p.idsIn("kairos.decisions", "decisionId");
            Set<String> storedEvents = p.idsIn("kairos.events", "eventId");
            Set<String> lostDecisions = new HashSet<>(decisions);
            lostDecisions.removeAll(loggedDecisions);
            Set<String> lostEvents = new HashSet<>(events);
            lostEvents.removeAll(storedEvents);
            Platform.report("rules-server SIGTERM under load",
                    "decisions answered 200=" + decisions.size() + " logged=" + (decisions.size() - lostDecisions.size())
                            + ", events answered 2xx=" + events.size() + " in Kafka=" + (events.size() - lostEvents.size())
                            + ", 5xx=" + fiveXx.get() + ", exit code " + exitCode);
            assertThat(decisions).hasSizeGreaterThan(100);
            assertThat(events).hasSizeGreaterThan(100);
            assertThat(fiveXx.get()).as("no 5xx while shutting down").isZero();
            assertThat(lostDecisions).as("every decision answered 200 is logged").isEmpty();
            assertThat(lostEvents).as("every event answered 2xx is in Kafka").isEmpty();
            assertThat(exitCode).isIn(0, 143);
        }
    }
}
