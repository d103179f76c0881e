package dev.kairos.feedback.ingest;

import dev.kairos.feedback.store.FeedbackStore;
import dev.kairos.feedback.store.GroupBy;
import dev.kairos.feedback.store.GroupCounts;
import dev.kairos.feedback.support.Records;
import dev.kairos.feedback.support.SharedPostgres;
import dev.kairos.feedback.support.TestService;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The topics → store path on the real broker, over the embedded H2 file store and over PostgreSQL. */
class FeedbackIngestTest {
    static final Instant T = Instant.parse("2026-11-23T18:30:00Z");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgresql"})
    void storesDecisionsAndOutcomesOnceThroughReplaysRestartsAndEarlyOutcomes(String database) {
        Map<String, Object> db = database.equals("h2") ? Map.of() : Map.of("kairos.feedback.db-url", SharedPostgres.newDatabase(),
                "kairos.feedback.db-user", "postgres");
        TestService service = TestService.start(db);
        try {
            String d1 = UUID.randomUUID().toString(), d2 = UUID.randomUUID().toString();
            // The click on d2 arrives before d2's decision; an unreadable record is skipped, not fatal.
            service.send("outcomes", "u2", Records.outcome(d2, "u2", T, "home_banner", "impression"),
                    Records.outcome(d2, "u2", T, "home_banner", "click"), "not json");
            service.send("decisions", "u1", Records.decision(d1, "u1", T, "Evening offer", "home_banner", false, "A", 0.9, "night_owls"));
            service.send("outcomes", "u1", Records.outcome(d1, "u1", T, "home_banner", "impression"),
                    Records.outcome(d1, "u1", T, "home_banner", "dismiss"));
            FeedbackStore store = service.store();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(store.count("decisions")).isEqualTo(1);
                assertThat(store.count("outcomes")).isEqualTo(4);
            });
            long from = T.toEpochMilli(), to = T.plusSeconds(1).toEpochMilli();
            assertThat(store.counts(from, to, GroupBy.VARIANT)).extracting(GroupCounts::group).containsExactlyInAnyOrder("A", GroupBy.PENDING);

            service.send("decisions", "u2", Records.decision(d2, "u2", T, "Evening offer", "home_banner", false, "B", 0.4));
            // A replay of everything already stored.
            service.send("decisions", "u1", Records.decision(d1, "u1", T, "Evening offer", "home_banner", false, "A", 0.9, "night_owls"));
            service.send("outcomes", "u1", Records.outcome(d1, "u1", T, "home_banner", "impression"),
                    Records.outcome(d1, "u1", T, "home_banner", "dismiss"));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(store.count("decisions")).isEqualTo(2));

            // A restart in a new consumer group re-reads both topics from the start: nothing is counted twice.
            service = service.restart(Map.of("kairos.feedback.group-id", "replay-" + UUID.randomUUID()));
            FeedbackStore restarted = service.store();
            String marker = UUID.randomUUID().toString();
            service.send("decisions", "u3", Records.decision(marker, "u3", T, "Marker", "home_banner", true, null, 0.1));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(restarted.count("decisions")).isEqualTo(3));
            assertThat(restarted.count("outcomes")).isEqualTo(4);
            assertThat(restarted.counts(from, to, GroupBy.VARIANT)).containsExactlyInAnyOrder(
                    new GroupCounts("A", 1, 0, 1, 0, 1, 0),
                    new GroupCounts("B", 1, 1, 0, 0, 1, 1));
        } finally {
            service.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgresql"})
    void recordsTheDatabaseWouldRefuseNeitherStopIngestionNorTakeGoodRecordsWithThem(String database) {
        Map<String, Object> db = database.equals("h2") ? Map.of() : Map.of("kairos.feedback.db-url", SharedPostgres.newDatabase(),
                "kairos.feedback.db-user", "postgres");
        TestService service = TestService.start(db);
        try {
            String good = UUID.randomUUID().toString();
            String tooLong = "d".repeat(100); // the decision id column holds 64: SQLState 22001 on both databases
            service.send("decisions", "u1", Records.decision(tooLong, "u1", T, "Evening offer", "home_banner", false, null, 0.5),
                    Records.decision(good, "u1", T, "Evening offer", "home_banner", false, null, 0.5));
            service.send("outcomes", "u1",
                    // A NUL in a user id (PostgreSQL refuses NUL in text): stored without it.
                    Records.outcome(good, "a\\u0000b", T, "home_banner", "impression"),
                    // A timestamp Instant can parse but not turn into epoch milliseconds: skipped, not fatal.
                    Records.outcome(good, "u1", T, "home_banner", "click").replace(T.toString(), "-300000000-01-01T00:00:00Z"),
                    Records.outcome(good, "u1", T, "home_banner", "dismiss"));
            String after = UUID.randomUUID().toString();
            service.send("decisions", "u2", Records.decision(after, "u2", T, "Evening offer", "home_banner", false, null, 0.5));
            FeedbackStore store = service.store();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(store.count("decisions")).as("the good decisions, before and after the refused one").isEqualTo(2);
                assertThat(store.count("outcomes")).isEqualTo(2);
            });
        } finally {
            service.close();
        }
    }
}
