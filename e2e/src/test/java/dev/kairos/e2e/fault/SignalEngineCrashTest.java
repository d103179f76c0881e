package dev.kairos.e2e.fault;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The signal engine killed with kill -9 in the middle of a fold counts every event exactly once,
 * in both ways it has of doing so: at least once with the {@code seen-events} store of event ids
 * (the default), and Kafka's exactly-once processing without it ({@code KAIROS_SIGNALS_EXACTLY_ONCE},
 * partitioned mode). An ingest-only instance fills {@code kairos.events} with a backlog; a full
 * instance starts folding it and is killed half way; started again on the same folder, it must end
 * with each user's event count exactly what was sent. The engine commits every second, so the kill
 * leaves work it did but had not committed, which the restart does again; the report says how much
 * (the events folded before the kill and after the restart, less those sent: a lower bound, as the
 * count before the kill is read a moment before it). Not asserted: a commit between that reading
 * and the kill makes the bound 0 or less without anything being wrong. A kill that came too late to
 * test anything (the fold done) fails the test.
 */
@Tag("fault")
class SignalEngineCrashTest {
    static final int USERS = 200;
    static final int BATCHES = 80;
    static final int BATCH = 500;

    @ParameterizedTest(name = "{0} mode, exactly-once {1}")
    @CsvSource({"global, false", "partitioned, true"})
    void aKillMinus9MidFoldCountsEveryEventOnce(String mode, boolean exactlyOnce, @TempDir Path data) {
        try (Platform p = new Platform(data)) {
            // 1. A backlog, taken by an ingest-only instance (which does not fold).
            Map<String, Integer> sent = backlog(p);
            int total = BATCHES * BATCH;

            // 2. A full instance folds the backlog; kill -9 once it has folded half of it (seconds in: past a commit or two).
            Map<String, String> env = Map.of("KAIROS_SIGNALS_MODE", mode, "KAIROS_SIGNALS_EXACTLY_ONCE", String.valueOf(exactlyOnce));
            p.launchRules(env);
            long before = awaitFolded(p, total / 2, data);
            Platform.kill(p.rules);
            assertThat(before).as("killed before the fold was done (a larger backlog is needed otherwise)").isLessThan(total);

            // 3. Started again on the same folder: every user's count is exactly what was sent.
            p.startRules(env);
            Map<String, Integer> counted = new HashMap<>();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                counted.clear();
                for (String user : sent.keySet()) counted.put(user, events(p, user));
                assertThat(counted.values().stream().mapToInt(Integer::intValue).sum()).as("events counted in all").isGreaterThanOrEqualTo(total);
            });
            Platform.sleep(2_000); // anything still to come (a replay counted twice) would show by now
            for (String user : sent.keySet()) counted.put(user, events(p, user));
            long after = metric(p, "kairos_signals_events_total");
            long skipped = metric(p, "kairos_signals_duplicates_total");
            long replayed = before + after + skipped - total;
            Platform.report("signal engine kill -9 mid-fold (" + mode + ", exactly-once " + exactlyOnce + ")",
                    "sent=" + total + " folded before the kill=" + before + " folded after the restart=" + after
                            + " skipped as seen=" + skipped + " done twice=" + replayed + " committed before the kill=" + (total - after - skipped) + " counted=" + counted.values().stream().mapToInt(Integer::intValue).sum());
            assertThat(counted).as("each user's events, counted once").isEqualTo(sent);
            if (exactlyOnce) assertThat(skipped).as("no id store under exactly-once").isZero();
        }
    }

    /**
     * Exactly-once through a broker outage in the middle of a fold: the engine's open transaction cannot
     * commit, Kafka aborts it, and once the broker is back the engine must pick up again (not stop on
     * the error) and count every event once.
     */
    @org.junit.jupiter.api.Test
    void aBrokerOutageMidFoldUnderExactlyOnceCostsDelayNotCounts(@TempDir Path data) {
        try (Platform p = new Platform(data)) {
            Map<String, Integer> sent = backlog(p);
            int n = BATCHES * BATCH;
            p.launchRules(Map.of("KAIROS_SIGNALS_MODE", "partitioned", "KAIROS_SIGNALS_EXACTLY_ONCE", "true"));
            long atStop = awaitFolded(p, n / 2, data);
            p.kafka.close();
            Platform.sleep(15_000); // longer than the engine's transaction timeout (10 s)
            p.kafka.start();
            assertThat(atStop).as("the broker stopped before the fold was done (a larger backlog is needed otherwise)").isLessThan(n);

            Map<String, Integer> counted = new HashMap<>();
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(p.rules.isAlive()).isTrue();
                for (String user : sent.keySet()) counted.put(user, events(p, user));
                assertThat(counted).isEqualTo(sent);
            });
            Platform.sleep(2_000);
            for (String user : sent.keySet()) counted.put(user, events(p, user));
            Platform.report("broker stopped 15 s mid-fold (partitioned, exactly-once)", "sent=" + n + " folded when it stopped=" + atStop
                    + " counted=" + counted.values().stream().mapToInt(Integer::intValue).sum());
            assertThat(counted).as("each user's events, counted once").isEqualTo(sent);
        }
    }

    /** {@link #BATCHES} batches of {@link #BATCH} events of {@link #USERS} users, taken by an ingest-only instance (which does not fold); the events sent per user. */
    static Map<String, Integer> backlog(Platform p) {
        p.startRules(Map.of("KAIROS_ROLE", "ingest"));
        Map<String, Integer> sent = new HashMap<>();
        int n = 0;
        for (int b = 0; b < BATCHES; b++) {
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < BATCH; i++, n++) {
                String user = "crash-user-" + (n % USERS);
                batch.add("{\"eventId\": \"" + UUID.randomUUID() + "\", \"type\": \"" + (n % 3 == 0 ? "product_view" : "page_view")
                        + "\", \"userId\": \"" + user + "\", \"sessionId\": \"s-1\", \"properties\": {\"category\": \"shoes\", \"productId\": \"p" + (n % 7) + "\"}}");
                sent.merge(user, 1, Integer::sum);
            }
            HttpResponse<String> r = Platform.post(p.rulesPort, "/v1/events", Platform.WRITE_KEY, "{\"batch\": [" + String.join(",", batch) + "]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(Platform.json(r.body()).get("accepted").asInt()).isEqualTo(BATCH);
        }
        Platform.terminate(p.rules);
        return sent;
    }

    /** Waits until the (just launched) rules-server's engine has folded {@code count} events; returns how many it had then. */
    static long awaitFolded(Platform p, long count, Path data) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long folded = 0;
        while (folded < count) {
            assertThat(p.rules.isAlive()).as("rules-server running; see " + data).isTrue();
            assertThat(System.nanoTime()).as("the engine folded " + count + " events within 120 s").isLessThan(deadline);
            Platform.sleep(20);
            folded = metric(p, "kairos_signals_events_total");
        }
        return folded;
    }

    /** The user's event count in the signal engine, or -1 while it is not known. */
    static int events(Platform p, String user) {
        HttpResponse<String> r = Platform.get(p.rulesPort, "/v1/users/" + user + "/signals", Platform.ADMIN_KEY);
        if (r.statusCode() != 200) return -1;
        JsonNode s = Platform.json(r.body());
        return s.path("events").asInt(-1);
    }

    /** The sum of a counter's series on the rules-server's /prometheus page (0 while it is not there). */
    static long metric(Platform p, String name) {
        HttpResponse<String> r;
        try {
            r = Platform.get(p.rulesPort, "/prometheus", null);
        } catch (UncheckedIOException starting) {
            return 0;
        }
        if (r.statusCode() != 200) return 0;
        double sum = 0;
        for (String line : r.body().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return (long) sum;
    }
}
