package dev.kairos.feedback.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.feedback.weights.WeightsStore;
import dev.kairos.feedback.weights.WeightsVersion;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store's contract, run over every database it supports (H2 and PostgreSQL): one suite, so
 * the two cannot drift apart. Each test gets a fresh, migrated database.
 */
abstract class FeedbackStoreContract {
    static final long T0 = 1_700_000_000_000L;

    FeedbackStore store;
    DataSource dataSource;

    /** A new, empty database. */
    abstract DataSource newDataSource();

    @BeforeEach
    void migrate() {
        dataSource = newDataSource();
        assertThat(Migrations.migrate(dataSource)).isEqualTo(migrationScripts());
        store = new FeedbackStore(dataSource);
    }

    static DecisionRow decision(String id, String user, String rule, String placement, boolean fallback, String variant,
                                double intent, List<String> segments) {
        return new DecisionRow(id, T0, user, "s-" + user, "v1", "default", false, variant, intent, 0.5, 0.5, 0.5,
                "{\"intentScore\":" + intent + "}", List.of(rule), List.of(new DecisionRow.PlacementRow(placement, rule, "c-1", fallback)),
                segments);
    }

    static OutcomeRow outcome(String decisionId, String placement, String type, String user, long at) {
        return new OutcomeRow(OutcomeRow.keyOf(null, decisionId, placement, type), decisionId, placement, type, user, null, null, at, at);
    }

    /** How many migration scripts there are (db/migration/V*.sql on the class path). */
    static int migrationScripts() {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(FeedbackStoreContract.class.getResource("/db/migration").toURI()))) {
            return (int) files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
        } catch (java.io.IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String id() {
        return UUID.randomUUID().toString();
    }

    @Test
    void migratingAgainAppliesNothing() {
        assertThat(Migrations.migrate(dataSource)).isZero();
    }

    @Test
    void totalsOfAnEmptyWindowAreZero() {
        assertThat(store.counts(T0, T0 + 10, GroupBy.ALL)).containsExactly(new GroupCounts("all", 0, 0, 0, 0, 0, 0));
        assertThat(store.counts(T0, T0 + 10, GroupBy.RULE)).isEmpty();
    }

    @Test
    void replayedDecisionsAndOutcomesAreStoredOnce() {
        String d = id();
        List<DecisionRow> decisions = List.of(decision(d, "u1", "Evening offer", "home_banner", false, null, 0.9, List.of("night_owls")));
        List<OutcomeRow> outcomes = List.of(outcome(d, "home_banner", "impression", "u1", T0), outcome(d, "home_banner", "click", "u1", T0 + 1));

        assertThat(store.saveDecisions(decisions)).isEqualTo(1);
        assertThat(store.saveOutcomes(outcomes)).isEqualTo(2);
        assertThat(store.saveDecisions(decisions)).isZero();
        assertThat(store.saveOutcomes(outcomes)).isZero();

        assertThat(store.count("decisions")).isEqualTo(1);
        assertThat(store.count("decision_placements")).isEqualTo(1);
        assertThat(store.count("decision_segments")).isEqualTo(1);
        assertThat(store.count("outcomes")).isEqualTo(2);
        assertThat(store.counts(T0, T0 + 10, GroupBy.ALL))
                .containsExactly(new GroupCounts("all", 1, 1, 0, 0, 1, 1));
    }

    static DecisionRow withFacts(DecisionRow d, String facts) {
        return new DecisionRow(d.decisionId(), d.decidedAt(), d.userKey(), d.sessionId(), d.rulesVersion(), d.weightsVersion(), d.canary(),
                d.variant(), d.intentScore(), d.recency(), d.depth(), d.conversionProbability(), d.signalsJson(), d.matchedRules(),
                d.placements(), d.segments(), d.variants(), facts);
    }

    @Test
    void keepsFactsForReplayStreamsThemWithOutcomesAndPrunesAndErasesThem() {
        String a = id(), b = id(), old = id(), none = id();
        DecisionRow oldRow = decision(old, "carol", "R1", "home_banner", false, null, 0.1, List.of());
        DecisionRow big = withFacts(decision(id(), "erin", "R1", "home_banner", false, null, 0.2, List.of()), "x".repeat(FeedbackStore.MAX_FACTS_CHARS + 1));
        // Far past V7's 16,000 characters, within the limit: kept whole.
        String largeFacts = "{\"v\":1,\"items\":\"" + "é-long ".repeat(30_000) + "\"}";
        String large = id();
        store.saveDecisions(List.of(
                withFacts(decision(a, "alice", "R1", "home_banner", false, null, 0.9, List.of()), "{\"v\":1,\"n\":\"a\"}"),
                withFacts(decision(b, "bob", "R2", "product_page", false, null, 0.4, List.of()), "{\"v\":1,\"n\":\"b\"}"),
                withFacts(new DecisionRow(oldRow.decisionId(), T0 - 100_000, "carol", null, "v1", "default", false, null, 0.1, 0.5, 0.5, 0.5, null,
                        List.of("R1"), oldRow.placements(), List.of()), "{\"v\":1,\"n\":\"old\"}"),
                decision(none, "dave", "R1", "home_banner", false, null, 0.2, List.of()),
                big,
                withFacts(decision(large, "frank", "R1", "home_banner", false, null, 0.3, List.of()), largeFacts)));
        store.saveOutcomes(List.of(outcome(a, "home_banner", "impression", "alice", T0), outcome(a, "home_banner", "click", "alice", T0 + 1)));
        assertThat(store.count("decision_facts")).as("none without facts, none too large").isEqualTo(4);
        assertThat(store.factsNotKept()).as("the decision whose facts were too large is counted").isEqualTo(1);
        store.saveDecisions(List.of(big));
        assertThat(store.factsNotKept()).as("the same decision delivered again is not counted again").isEqualTo(1);

        List<FeedbackStore.ReplayRow> rows = new java.util.ArrayList<>();
        assertThat(store.streamReplay(T0 - 1, T0 + 10, 100, rows::add)).isEqualTo(3);
        assertThat(rows).extracting(FeedbackStore.ReplayRow::factsJson).containsExactlyInAnyOrder("{\"v\":1,\"n\":\"a\"}", "{\"v\":1,\"n\":\"b\"}", largeFacts);
        rows.removeIf(r -> r.decisionId().equals(large));
        FeedbackStore.ReplayRow alice = rows.stream().filter(r -> r.decisionId().equals(a)).findFirst().orElseThrow();
        assertThat(alice.placements()).containsExactly(new FeedbackStore.ReplayPlacement("home_banner", "R1", "c-1", false, true, true, false, false));
        FeedbackStore.ReplayRow bob = rows.stream().filter(r -> r.decisionId().equals(b)).findFirst().orElseThrow();
        assertThat(bob.placements()).singleElement().satisfies(p -> assertThat(p.shown()).as("no outcome yet").isFalse());
        List<FeedbackStore.ReplayRow> limited = new java.util.ArrayList<>();
        assertThat(store.streamReplay(T0 - 200_000, T0 + 10, 1, limited::add)).isEqualTo(1);
        assertThat(limited.get(0).decisionId()).as("oldest first").isEqualTo(old);

        assertThat(store.pruneFacts(T0 - 1)).isEqualTo(1);
        assertThat(store.count("decision_facts")).isEqualTo(3);
        assertThat(store.count("decisions")).as("pruning facts keeps the decisions").isEqualTo(6);
        store.erase("req-f", List.of("alice"), T0 + 1000);
        assertThat(store.count("decision_facts")).as("erased with the user").isEqualTo(2);
    }

    @Test
    void erasingAUserDeletesTheirRowsAndKeepsOlderReplaysOutButNotOthers() throws Exception {
        String a1 = id(), a2 = id(), anon = id(), b = id();
        store.saveDecisions(List.of(
                withVariants(decision(a1, "alice", "R1", "home_banner", false, null, 0.9, List.of("night_owls")), Map.of("exp", "x")),
                decision(a2, "alice", "R2", "product_page", false, null, 0.4, List.of()),
                decision(anon, "anon-7", "R1", "home_banner", false, null, 0.2, List.of()),
                decision(b, "bob", "R1", "home_banner", false, null, 0.3, List.of("night_owls"))));
        // One of alice's outcomes was logged under her anonymous id: it goes with her decision.
        store.saveOutcomes(List.of(outcome(a1, "home_banner", "impression", "alice", T0), outcome(a1, "home_banner", "click", "anon-x", T0 + 1),
                outcome(anon, "home_banner", "impression", "anon-7", T0), outcome(b, "home_banner", "impression", "bob", T0)));

        long deleted = store.erase("req-1", List.of("alice", "anon-7"), T0 + 1000);

        assertThat(deleted).isPositive();
        assertThat(store.count("decisions")).isEqualTo(1);
        assertThat(store.count("outcomes")).isEqualTo(1);
        assertThat(store.count("decision_placements")).isEqualTo(1);
        assertThat(store.count("decision_segments")).isEqualTo(1);
        assertThat(store.count("decision_variants")).isZero();
        try (var c = dataSource.getConnection(); var st = c.createStatement()) {
            for (String sql : List.of("SELECT COUNT(*) FROM decisions WHERE user_key IN ('alice', 'anon-7')",
                    "SELECT COUNT(*) FROM outcomes WHERE user_key IN ('alice', 'anon-7', 'anon-x')",
                    "SELECT COUNT(*) FROM placement_outcomes WHERE decision_id IN ('" + a1 + "', '" + a2 + "', '" + anon + "')",
                    "SELECT COUNT(*) FROM erased_users WHERE key_hash = 'alice'")) {
                try (var rs = st.executeQuery(sql)) {
                    rs.next();
                    assertThat(rs.getLong(1)).as(sql).isZero();
                }
            }
        }
        assertThat(store.erasure("req-1")).hasValueSatisfying(e -> {
            assertThat(e.keys()).isEqualTo(2);
            assertThat(e.rowsDeleted()).isEqualTo(deleted);
        });
        assertThat(store.erasure("req-2")).isEmpty();
        assertThat(store.erase("req-1", List.of("alice"), T0 + 5000)).as("carried out once").isZero();

        // A replay of the topic brings alice's old decision back: not stored. Her new activity is.
        assertThat(store.saveDecisions(List.of(decision(a1, "alice", "R1", "home_banner", false, null, 0.9, List.of())))).isZero();
        assertThat(store.saveOutcomes(List.of(outcome(a1, "home_banner", "impression", "alice", T0)))).isZero();
        DecisionRow later = new DecisionRow(id(), T0 + 2000, "alice", "s", "v1", "default", false, null, 0.5, 0.5, 0.5, 0.5, "{}",
                List.of("R1"), List.of(new DecisionRow.PlacementRow("home_banner", "R1", "c-1", false)), List.of());
        assertThat(store.saveDecisions(List.of(later))).isEqualTo(1);
        // ...also as seen by a new store on the same database (the erased hashes are in a table).
        FeedbackStore restarted = new FeedbackStore(dataSource);
        assertThat(restarted.saveDecisions(List.of(decision(a2, "alice", "R2", "product_page", false, null, 0.4, List.of())))).isZero();
        assertThat(restarted.saveDecisions(List.of(decision(id(), "carol", "R2", "product_page", false, null, 0.4, List.of())))).isEqualTo(1);
    }

    @Test
    void outcomesWithTheirOwnIdsAreKeptApartEvenForTheSamePlacementAndType() {
        String d = id();
        OutcomeRow first = new OutcomeRow(id(), d, "home_banner", "impression", "u1", null, null, T0, T0);
        OutcomeRow second = new OutcomeRow(id(), d, "home_banner", "impression", "u1", null, null, T0 + 1, T0 + 1);
        assertThat(store.saveOutcomes(List.of(first, second, first))).isEqualTo(2);
        assertThat(store.count("outcomes")).isEqualTo(2);
    }

    @Test
    void aPlacementShownAndClickedRepeatedlyCountsAsOneImpressionAndOneClick() {
        String d = id(), e = id();
        store.saveDecisions(List.of(decision(d, "u1", "Evening offer", "home_banner", false, "A", 0.9, List.of("night_owls")),
                decision(e, "u2", "Evening offer", "home_banner", false, "A", 0.9, List.of("night_owls"))));
        List<OutcomeRow> outcomes = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) outcomes.add(new OutcomeRow(id(), d, "home_banner", "impression", "u1", null, null, T0 + i, T0 + i));
        for (int i = 0; i < 4; i++) outcomes.add(new OutcomeRow(id(), d, "home_banner", "click", "u1", null, null, T0 + 5 + i, T0 + 5 + i));
        outcomes.add(new OutcomeRow(id(), d, "home_banner", "conversion", "u1", null, null, T0 + 10, T0 + 10));
        outcomes.add(new OutcomeRow(id(), d, "home_banner", "conversion", "u1", null, null, T0 + 11, T0 + 11));
        // Another placement of the same decision is another impression; another decision's too.
        outcomes.add(new OutcomeRow(id(), d, "product_page", "impression", "u1", null, null, T0, T0));
        outcomes.add(new OutcomeRow(id(), e, "home_banner", "impression", "u2", null, null, T0, T0));
        outcomes.add(new OutcomeRow(id(), e, "home_banner", "dismiss", "u2", null, null, T0 + 1, T0 + 1));
        outcomes.add(new OutcomeRow(id(), e, "home_banner", "dismiss", "u2", null, null, T0 + 2, T0 + 2));
        store.saveOutcomes(outcomes);

        assertThat(store.counts(T0, T0 + 100, GroupBy.ALL)).containsExactly(new GroupCounts("all", 3, 1, 1, 1, 2, 1));
        assertThat(store.counts(T0, T0 + 100, GroupBy.VARIANT)).containsExactly(new GroupCounts("A", 3, 1, 1, 1, 2, 1));
        assertThat(store.counts(T0, T0 + 100, GroupBy.SEGMENT)).containsExactly(new GroupCounts("night_owls", 3, 1, 1, 1, 2, 1));
        assertThat(store.counts(T0, T0 + 100, GroupBy.PLACEMENT)).containsExactly(
                new GroupCounts("home_banner", 2, 1, 1, 1, 2, 1),
                new GroupCounts("product_page", 1, 0, 0, 0, 1, 0));
        assertThat(store.series(T0, T0 + 100, 1_000_000L, GroupBy.ALL)).containsExactly(
                new SeriesPoint("all", T0 / 1_000_000L * 1_000_000L, 3, 1, 1, 1));
    }

    @Test
    void interactionsWithoutAnImpressionInTheWindowAreNotCountedSoClicksNeverExceedImpressions() {
        String shownBefore = id(), neverShown = id(), shown = id();
        store.saveOutcomes(List.of(
                outcome(shownBefore, "home_banner", "impression", "u1", T0 - 1),
                outcome(shownBefore, "home_banner", "click", "u1", T0 + 1),
                outcome(neverShown, "home_banner", "click", "u2", T0 + 1),
                outcome(neverShown, "home_banner", "conversion", "u2", T0 + 1),
                outcome(shown, "home_banner", "impression", "u3", T0),
                outcome(shown, "home_banner", "click", "u3", T0 + 1)));

        GroupCounts all = store.counts(T0, T0 + 10, GroupBy.ALL).get(0);
        assertThat(all).isEqualTo(new GroupCounts("all", 1, 1, 0, 0, 1, 1));
        assertThat(store.counts(T0 - 1, T0 + 10, GroupBy.ALL).get(0)).as("with the earlier impression in the window")
                .isEqualTo(new GroupCounts("all", 2, 2, 0, 0, 2, 2));
    }

    @Test
    void aSeriesCountsAPlacementInTheBucketOfItsFirstImpressionSoBucketsAddUpToTheTotals() {
        long hour = 3_600_000L, start = T0 / hour * hour;
        String d = id();
        store.saveOutcomes(List.of(
                outcome(d, "home_banner", "impression", "u1", start + hour - 1),
                new OutcomeRow(id(), d, "home_banner", "impression", "u1", null, null, start + hour + 1, start + hour + 1),
                outcome(d, "home_banner", "click", "u1", start + hour + 2)));

        assertThat(store.series(start, start + 2 * hour, hour, GroupBy.PLACEMENT))
                .containsExactly(new SeriesPoint("home_banner", start, 1, 1, 0, 0));
        assertThat(store.counts(start, start + 2 * hour, GroupBy.PLACEMENT))
                .containsExactly(new GroupCounts("home_banner", 1, 1, 0, 0, 1, 1));
    }

    @Test
    void anOutcomeThatArrivesBeforeItsDecisionIsJoinedOnceTheDecisionIsStored() {
        String d = id();
        store.saveOutcomes(List.of(outcome(d, "home_banner", "impression", "u1", T0), outcome(d, "home_banner", "click", "u1", T0)));
        assertThat(store.counts(T0, T0 + 10, GroupBy.VARIANT)).extracting(GroupCounts::group).containsExactly(GroupBy.PENDING);
        assertThat(store.intentBins(T0, T0 + 10, GroupBy.ALL)).isEmpty();

        store.saveDecisions(List.of(decision(d, "u1", "Evening offer", "home_banner", false, "B", 0.83, List.of())));

        assertThat(store.counts(T0, T0 + 10, GroupBy.VARIANT)).containsExactly(new GroupCounts("B", 1, 1, 0, 0, 1, 1));
        assertThat(store.counts(T0, T0 + 10, GroupBy.RULE)).extracting(GroupCounts::group).containsExactly("Evening offer");
        assertThat(store.intentBins(T0, T0 + 10, GroupBy.ALL)).containsExactly(new IntentBin("all", 16, 1, 1, 1, 0));
    }

    @Test
    void countsOutcomesPerRulePlacementSegmentAndVariantWithinTheWindow() {
        String a = id(), b = id(), c = id();
        store.saveDecisions(List.of(
                decision(a, "u1", "Evening offer", "home_banner", false, "A", 0.9, List.of("night_owls", "cart_abandoners")),
                decision(b, "u2", "Evening offer", "home_banner", false, "B", 0.2, List.of("night_owls")),
                decision(c, "u3", "Default banner", "product_page", true, null, 0.5, List.of())));
        store.saveOutcomes(List.of(
                outcome(a, "home_banner", "impression", "u1", T0),
                outcome(a, "home_banner", "click", "u1", T0 + 1),
                outcome(a, "home_banner", "conversion", "u1", T0 + 2),
                outcome(b, "home_banner", "impression", "u2", T0),
                outcome(b, "home_banner", "dismiss", "u2", T0 + 1),
                outcome(c, "product_page", "impression", "u3", T0),
                // Outside the window [T0, T0 + 100): not counted.
                outcome(c, "product_page", "click", "u3", T0 + 100)));

        assertThat(store.counts(T0, T0 + 100, GroupBy.RULE)).containsExactly(
                new GroupCounts("Evening offer", 2, 1, 1, 1, 2, 1),
                new GroupCounts("Default banner", 1, 0, 0, 0, 1, 0));
        assertThat(store.counts(T0, T0 + 100, GroupBy.PLACEMENT)).containsExactly(
                new GroupCounts("home_banner", 2, 1, 1, 1, 2, 1),
                new GroupCounts("product_page", 1, 0, 0, 0, 1, 0));
        assertThat(store.counts(T0, T0 + 100, GroupBy.SEGMENT)).containsExactlyInAnyOrder(
                new GroupCounts("night_owls", 2, 1, 1, 1, 2, 1),
                new GroupCounts("cart_abandoners", 1, 1, 0, 1, 1, 1),
                new GroupCounts(GroupBy.NONE, 1, 0, 0, 0, 1, 0));
        assertThat(store.counts(T0, T0 + 100, GroupBy.VARIANT)).extracting(GroupCounts::group)
                .containsExactlyInAnyOrder("A", "B", GroupBy.NONE);
        assertThat(store.counts(T0, T0 + 101, GroupBy.ALL)).containsExactly(new GroupCounts("all", 3, 2, 1, 1, 3, 2));
    }

    @Test
    void aDecisionUnderSeveralExperimentsCountsOnceInEachOfItsVariantsAndIsStoredOnce() {
        String a = id(), b = id(), c = id();
        List<DecisionRow> decisions = List.of(
                withVariants(decision(a, "u1", "R", "home_banner", false, "banner_copy:copy_b", 0.5, List.of()),
                        Map.of("banner_copy", "copy_b", "cta_copy", "b")),
                withVariants(decision(b, "u2", "R", "home_banner", false, "banner_copy:holdout", 0.5, List.of()),
                        Map.of("banner_copy", "holdout", "cta_copy", "b")),
                // An older record: only the single label, split into its experiment and variant.
                decision(c, "u3", "R", "home_banner", false, "banner_copy:control", 0.5, List.of()));
        assertThat(store.saveDecisions(decisions)).isEqualTo(3);
        assertThat(store.saveDecisions(decisions)).isZero();
        assertThat(store.count("decision_variants")).isEqualTo(5);
        store.saveOutcomes(List.of(
                outcome(a, "home_banner", "impression", "u1", T0), outcome(a, "home_banner", "click", "u1", T0 + 1),
                outcome(b, "home_banner", "impression", "u2", T0),
                outcome(c, "home_banner", "impression", "u3", T0)));

        assertThat(store.counts(T0, T0 + 100, GroupBy.VARIANT)).containsExactlyInAnyOrder(
                new GroupCounts("banner_copy:copy_b", 1, 1, 0, 0, 1, 1),
                new GroupCounts("banner_copy:holdout", 1, 0, 0, 0, 1, 0),
                new GroupCounts("banner_copy:control", 1, 0, 0, 0, 1, 0),
                new GroupCounts("cta_copy:b", 2, 1, 0, 0, 2, 1));
        assertThat(store.series(T0, T0 + 100, 100, GroupBy.VARIANT)).extracting(SeriesPoint::group)
                .containsExactlyInAnyOrder("banner_copy:control", "banner_copy:copy_b", "banner_copy:holdout", "cta_copy:b");
        assertThat(store.intentBins(T0, T0 + 100, GroupBy.VARIANT)).filteredOn(bin -> bin.group().equals("cta_copy:b"))
                .extracting(IntentBin::shown).containsExactly(2L);
        // The totals still count each outcome once.
        assertThat(store.counts(T0, T0 + 100, GroupBy.ALL)).containsExactly(new GroupCounts("all", 3, 1, 0, 0, 3, 1));
    }

    @Test
    void theMigrationSplitsTheVariantsOfDecisionsStoredBeforeIt() throws Exception {
        Flyway flyway = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").cleanDisabled(false).load();
        flyway.clean();
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").target("2").load().migrate();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO decisions (decision_id, decided_at, canary, variant) VALUES "
                    + "('d1', 1, FALSE, 'banner_copy:holdout'), ('d2', 1, FALSE, 'A'), ('d3', 1, FALSE, NULL), ('d4', 1, FALSE, 'x:y:z')");
        }
        assertThat(Migrations.migrate(dataSource)).isEqualTo(migrationScripts() - 2);
        List<String> rows = new java.util.ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT decision_id, experiment, variant FROM decision_variants ORDER BY decision_id")) {
            while (rs.next()) rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3));
        }
        assertThat(rows).containsExactly("d1|banner_copy|holdout", "d2||A", "d4|x|y:z");
    }

    static DecisionRow withVariants(DecisionRow r, Map<String, String> variants) {
        return new DecisionRow(r.decisionId(), r.decidedAt(), r.userKey(), r.sessionId(), r.rulesVersion(), r.weightsVersion(),
                r.canary(), r.variant(), r.intentScore(), r.recency(), r.depth(), r.conversionProbability(), r.signalsJson(),
                r.matchedRules(), r.placements(), r.segments(), new java.util.TreeMap<>(variants));
    }

    @Test
    void binsShownPlacementsByIntentScoreWithEngagementAndFriction() {
        String a = id(), b = id(), c = id();
        store.saveDecisions(List.of(
                decision(a, "u1", "R", "home_banner", false, null, 0.91, List.of()),
                decision(b, "u2", "R", "home_banner", false, null, 0.12, List.of()),
                decision(c, "u3", "Fallback", "home_banner", true, null, 0.14, List.of())));
        store.saveOutcomes(List.of(
                outcome(a, "home_banner", "impression", "u1", T0),
                outcome(a, "home_banner", "click", "u1", T0),
                outcome(b, "home_banner", "impression", "u2", T0),
                outcome(b, "home_banner", "dismiss", "u2", T0),
                outcome(c, "home_banner", "impression", "u3", T0),
                outcome(c, "home_banner", "dismiss", "u3", T0)));

        assertThat(store.intentBins(T0, T0 + 1, GroupBy.ALL)).containsExactly(
                new IntentBin("all", 2, 2, 0, 1, 1),
                new IntentBin("all", 18, 1, 1, 1, 0));
    }

    @Test
    void seriesCountsOutcomesPerGroupAndTimeBucket() {
        String a = id(), b = id();
        store.saveDecisions(List.of(decision(a, "u1", "R1", "home_banner", false, null, 0.5, List.of()),
                decision(b, "u2", "R2", "home_banner", false, null, 0.5, List.of())));
        long hour = 3_600_000L, start = 1_700_000_000_000L / hour * hour;
        store.saveOutcomes(List.of(
                outcome(a, "home_banner", "impression", "u1", start + 5),
                outcome(a, "home_banner", "click", "u1", start + hour + 5),
                outcome(b, "home_banner", "impression", "u2", start + hour + 7)));

        // R1's click an hour later counts in the bucket where its placement was shown.
        assertThat(store.series(start, start + 2 * hour, hour, GroupBy.RULE)).containsExactly(
                new SeriesPoint("R1", start, 1, 1, 0, 0),
                new SeriesPoint("R2", start + hour, 1, 0, 0, 0));
        assertThat(store.series(start, start + 2 * hour, hour, GroupBy.ALL)).containsExactly(
                new SeriesPoint("all", start, 1, 1, 0, 0),
                new SeriesPoint("all", start + hour, 1, 0, 0, 0));
    }
    @Test
    void countsDecisionsPerDayRulesVersionAndCanaryFlag() {
        long day = 86_400_000L, start = T0 / day * day;
        store.saveDecisions(List.of(
                versioned("v1", false, start + 5), versioned("v1", false, start + 6), versioned("v2", true, start + 7),
                versioned("v2", true, start + day + 1), versioned("v2", false, start + day + 2), versioned(null, false, start + day + 3),
                versioned("v9", false, start + 2 * day)));

        assertThat(store.rulesVersionsPerDay(start, start + 2 * day)).containsExactly(
                new RulesVersionDay("v1", false, start, 2),
                new RulesVersionDay("v2", true, start, 1),
                new RulesVersionDay(GroupBy.NONE, false, start + day, 1),
                new RulesVersionDay("v2", false, start + day, 1),
                new RulesVersionDay("v2", true, start + day, 1));
    }

    static DecisionRow versioned(String rulesVersion, boolean canary, long at) {
        return new DecisionRow(id(), at, "u", null, rulesVersion, "default", canary, null, 0.5, 0.5, 0.5, 0.5, null,
                List.of(), List.of(), List.of());
    }
    @Test
    void countsWinsPerRuleAndDecisionsMatchingARuleByExactName() {
        store.saveDecisions(List.of(
                matching(T0, List.of("Evening offer", "Cart_reminder"), "Evening offer"),
                matching(T0 + 1, List.of("Cart_reminder"), "Cart_reminder"),
                matching(T0 + 2, List.of("Evening offer 2"), "Evening offer 2"),
                matching(T0 + 100, List.of("Late rule"), "Late rule")));

        assertThat(store.winsPerRule(T0, T0 + 10)).isEqualTo(java.util.Map.of("Evening offer", 1L, "Cart_reminder", 1L, "Evening offer 2", 1L));
        assertThat(store.decisionsMatching("Evening offer", T0, T0 + 10)).isEqualTo(1);
        assertThat(store.decisionsMatching("Cart_reminder", T0, T0 + 10)).isEqualTo(2);
        assertThat(store.decisionsMatching("Cart%reminder", T0, T0 + 10)).as("wildcards are literal").isZero();
        assertThat(store.decisionsMatching("Cart reminder", T0, T0 + 10)).as("_ is literal").isZero();
        assertThat(store.decisionsMatching("Late rule", T0, T0 + 10)).as("outside the window").isZero();
        assertThat(store.decisionsMatching("offer", T0, T0 + 10)).as("whole names only").isZero();
    }

    @Test
    void splitsRuleActivityPerRulesVersion() {
        DecisionRow canary = matching(T0 + 3, List.of("Cart_reminder"), "Cart_reminder");
        store.saveDecisions(List.of(
                matching(T0, List.of("Evening offer", "Cart_reminder"), "Evening offer"),
                matching(T0 + 1, List.of("Cart_reminder"), "Cart_reminder"),
                new DecisionRow(canary.decisionId(), canary.decidedAt(), "u", null, "v2", "default", true, null, 0.5, 0.5, 0.5, 0.5, null,
                        List.of("Cart_reminder"), List.of(new DecisionRow.PlacementRow("home_banner", "Cart_reminder", "c", false)), List.of())));

        assertThat(store.winsPerRuleAndVersion(T0, T0 + 10)).isEqualTo(java.util.Map.of(
                "Evening offer", java.util.Map.of("v1", 1L), "Cart_reminder", java.util.Map.of("v1", 1L, "v2", 1L)));
        assertThat(store.decisionsMatchingPerVersion("Cart_reminder", T0, T0 + 10)).isEqualTo(java.util.Map.of("v1", 2L, "v2", 1L));
        assertThat(store.decisionsMatching("Cart_reminder", T0, T0 + 10)).isEqualTo(3);
    }

    /** The training samples recalibration would read for [from, to): decision id, features and labels. */
    List<String> samples(long from, long to) {
        List<String> out = new java.util.ArrayList<>();
        new WeightsStore(dataSource, new ObjectMapper()).forEachSample(from, to, (id, r, d, c, engaged, converted, propensity) ->
                out.add(id + " " + r + " " + d + " " + c + (engaged ? " engaged" : "") + (converted ? " converted" : "")
                        + (propensity == 1 ? "" : " p=" + propensity)));
        java.util.Collections.sort(out);
        return out;
    }

    static DecisionRow withFeatures(String id, double r, double d, double c, String... placements) {
        List<DecisionRow.PlacementRow> rows = new java.util.ArrayList<>();
        for (String p : placements) rows.add(new DecisionRow.PlacementRow(p, "R", "c", false));
        return new DecisionRow(id, T0, "u", null, "v1", "default", false, null, 0.5, r, d, c, null, List.of("R"), rows, List.of());
    }

    @Test
    void trainingSamplesAreShownPlacementsWithTheirDecisionsFeaturesWhicheverArrivesFirst() {
        String a = "a-" + id(), b = "b-" + id(), c = "c-" + id(), d = "d-" + id();
        store.saveDecisions(List.of(withFeatures(a, 0.25, 0.5, 0.75, "home_banner", "cart_footer")));
        store.saveOutcomes(List.of(outcome(a, "home_banner", "impression", "u", T0), outcome(a, "home_banner", "click", "u", T0 + 5)));
        // b's outcomes come before b: it is a sample once the decision is stored, and not before.
        store.saveOutcomes(List.of(outcome(b, "home_banner", "impression", "u", T0 + 1), outcome(b, "home_banner", "conversion", "u", T0 + 2)));
        assertThat(samples(T0, T0 + 10)).hasSize(1);
        store.saveDecisions(List.of(withFeatures(b, 1.0, 0.0, 0.5, "home_banner")));
        // c was never shown (a dismiss without an impression is no sample); d was shown but its decision is missing.
        store.saveDecisions(List.of(withFeatures(c, 0.5, 0.5, 0.5, "home_banner")));
        store.saveOutcomes(List.of(outcome(c, "home_banner", "dismiss", "u", T0)));
        store.saveOutcomes(List.of(outcome(d, "home_banner", "impression", "u", T0)));

        List<String> expected = List.of(a + " 0.25 0.5 0.75 engaged", b + " 1.0 0.0 0.5 engaged converted");
        assertThat(samples(T0, T0 + 10)).containsExactlyElementsOf(expected);
        assertThat(samples(T0 + 3, T0 + 10)).as("b's latest outcome is before the window").containsExactly(expected.get(0));

        // Replays of either side change nothing.
        store.saveDecisions(List.of(withFeatures(a, 0.25, 0.5, 0.75, "home_banner", "cart_footer")));
        store.saveOutcomes(List.of(outcome(a, "home_banner", "impression", "u", T0), outcome(b, "home_banner", "impression", "u", T0 + 1)));
        assertThat(samples(T0, T0 + 10)).containsExactlyElementsOf(expected);
    }

    @Test
    void decisionsAndOutcomesWrittenConcurrentlyForTheSamePlacementsLoseNoFlagOrFeature() throws Exception {
        int n = 400;
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(String.format("%04d-", i) + id());
        List<DecisionRow> decisions = new java.util.ArrayList<>();
        List<OutcomeRow> outcomes = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            decisions.add(withFeatures(ids.get(i), 0.5, i / (double) n, 0.25, "home_banner"));
            outcomes.add(outcome(ids.get(i), "home_banner", "impression", "u", T0));
            if (i % 2 == 0) outcomes.add(outcome(ids.get(i), "home_banner", "click", "u", T0 + 1));
        }
        java.util.Collections.reverse(outcomes);   // the two writers meet in the middle
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int k = 0; k < 4; k++) {
                int part = k;
                done.add(pool.submit(() -> {
                    for (int from = part * n / 4; from < (part + 1) * n / 4; from += 25) store.saveDecisions(decisions.subList(from, from + 25));
                }));
                done.add(pool.submit(() -> {
                    int size = outcomes.size();
                    for (int from = part * size / 4; from < (part + 1) * size / 4; from += 30) {
                        store.saveOutcomes(outcomes.subList(from, Math.min(from + 30, (part + 1) * size / 4)));
                    }
                }));
            }
            for (var f : done) f.get(2, java.util.concurrent.TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
        List<String> samples = samples(T0, T0 + 10);
        assertThat(samples).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(samples.get(i)).isEqualTo(ids.get(i) + " 0.5 " + (i / (double) n) + " 0.25" + (i % 2 == 0 ? " engaged" : ""));
        }
    }

    @Test
    void theMigrationFillsTrainingSamplesFromWhatWasStoredBefore() {
        DataSource old = newDataSource();
        Migrations.migrate(old, "2");
        String a = id(), b = id();
        try (var c = old.getConnection(); var st = c.createStatement()) {
            st.executeUpdate("INSERT INTO decisions (decision_id, decided_at, canary, recency, depth, conversion_probability) "
                    + "VALUES ('" + a + "', " + T0 + ", FALSE, 0.1, 0.2, 0.3)");
            st.executeUpdate("INSERT INTO decision_placements (decision_id, placement, fallback) VALUES ('" + a + "', 'home_banner', FALSE)");
            st.executeUpdate("INSERT INTO outcomes (outcome_key, decision_id, placement, outcome_type, occurred_at) "
                    + "VALUES ('k1', '" + a + "', 'home_banner', 'impression', " + T0 + "), ('k2', '" + a + "', 'home_banner', 'click', " + (T0 + 3) + "), "
                    + "('k3', '" + b + "', 'home_banner', 'impression', " + T0 + ")");
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        Migrations.migrate(old);
        dataSource = old;
        assertThat(samples(T0, T0 + 10)).containsExactly(a + " 0.1 0.2 0.3 engaged");
        assertThat(samples(T0 + 4, T0 + 10)).isEmpty();
        // b's decision arrives after the migration and completes its row.
        new FeedbackStore(old).saveDecisions(List.of(withFeatures(b, 1, 1, 1, "home_banner")));
        assertThat(samples(T0, T0 + 10)).containsExactlyInAnyOrder(a + " 0.1 0.2 0.3 engaged", b + " 1.0 1.0 1.0");
    }

    @Test
    void oneInstanceAtATimeHoldsTheRecalibrationLeaseAndScheduledRunsKeepTheirGap() {
        WeightsStore w = new WeightsStore(dataSource, new ObjectMapper());
        long hour = 3_600_000L;
        assertThat(w.tryLease("recalibration", "A", T0, T0 + hour, Long.MAX_VALUE, true)).isTrue();
        assertThat(w.tryLease("recalibration", "B", T0 + 1, T0 + hour, Long.MAX_VALUE, true)).as("held by A").isFalse();
        w.releaseLease("recalibration", "B");
        assertThat(w.tryLease("recalibration", "B", T0 + 2, T0 + hour, Long.MAX_VALUE, true)).as("B cannot release A's lease").isFalse();
        w.releaseLease("recalibration", "A");
        assertThat(w.tryLease("recalibration", "B", T0 + 3, T0 + 3 + hour, T0 + 3 - hour, true)).as("A started less than an hour ago").isFalse();
        assertThat(w.tryLease("recalibration", "B", T0 + 3, T0 + 3 + hour, Long.MAX_VALUE, false)).as("a rollback needs no gap").isTrue();
        w.releaseLease("recalibration", "B");
        assertThat(w.tryLease("recalibration", "B", T0 + hour, T0 + 2 * hour, T0 + hour - hour, true))
                .as("the rollback did not count as a start").isTrue();
        assertThat(w.tryLease("recalibration", "C", T0 + 3 * hour, T0 + 4 * hour, Long.MAX_VALUE, true))
                .as("B died holding it; the lease ran out").isTrue();
    }

    @Test
    void aPublicationIsStoredWithItsVersionOrNotAtAllAndCanBeRetracted() {
        WeightsStore w = new WeightsStore(dataSource, new ObjectMapper());
        WeightsVersion v = new WeightsVersion("w1", java.time.Instant.ofEpochMilli(T0), 0.2, 0.7, 0.1, java.util.Map.of(), 10L, 2L,
                0.8, 0.7, "default", WeightsVersion.PUBLISHED, "not worse");
        long seq = w.saveAsPublished(v, java.time.Instant.ofEpochMilli(T0), "recalibrate");
        assertThat(w.current().version()).isEqualTo("w1");
        assertThatThrownBy(() -> w.saveAsPublished(v, java.time.Instant.ofEpochMilli(T0 + 1), "recalibrate"))
                .as("the same version twice").isInstanceOf(StoreException.class);
        assertThat(w.publications()).hasSize(1);

        w.retract("w1", seq, true);
        assertThat(w.current().version()).isEqualTo("default");
        assertThat(w.version("w1")).isEmpty();

        long again = w.published("default", java.time.Instant.ofEpochMilli(T0 + 2), "rollback");
        w.retract("default", again, false);
        assertThat(w.publications()).isEmpty();
        assertThat(w.version("default")).isPresent();
    }

    @Test
    void contentCountsArePerPlacementAndContentForEveryoneAndPerSegment() {
        List<DecisionRow> decisions = new java.util.ArrayList<>();
        List<OutcomeRow> outcomes = new java.util.ArrayList<>();
        // 30 shows of "a" (6 clicked, 10 of them to runners with 5 clicks), 25 of "b" (1 clicked), 5 of "c" (below the minimum)
        for (int i = 0; i < 60; i++) {
            String content = i < 30 ? "a" : i < 55 ? "b" : "c";
            List<String> segments = i < 10 ? List.of("runners") : List.of();
            String d = id();
            decisions.add(new DecisionRow(d, T0, "u" + i, null, "v1", "default", false, null, 0.5, 0.5, 0.5, 0.5, null, List.of("r"),
                    List.of(new DecisionRow.PlacementRow("home_banner", "tier1", content, false)), segments));
            outcomes.add(outcome(d, "home_banner", "impression", "u" + i, T0 + 1));
            boolean clicked = i < 5 || i == 20 || i == 30;
            if (clicked) outcomes.add(outcome(d, "home_banner", "click", "u" + i, T0 + 2));
        }
        store.saveDecisions(decisions);
        store.saveOutcomes(outcomes);
        List<FeedbackStore.ContentCounts> counts = store.contentCounts(T0 - 1, 10);
        assertThat(counts).contains(new FeedbackStore.ContentCounts("home_banner", null, "a", 30, 6),
                new FeedbackStore.ContentCounts("home_banner", null, "b", 25, 1),
                new FeedbackStore.ContentCounts("home_banner", "runners", "a", 10, 5));
        assertThat(counts).as("c was shown 5 times, below the minimum of 10").noneMatch(c -> c.contentId().equals("c"));
        assertThat(store.contentCounts(T0 + 1, 10)).as("decided before the window").isEmpty();
    }

    static DecisionRow matching(long at, List<String> matched, String winner) {
        return new DecisionRow(id(), at, "u", null, "v1", "default", false, null, 0.5, 0.5, 0.5, 0.5, null,
                matched, List.of(new DecisionRow.PlacementRow("home_banner", winner, "c", false)), List.of());
    }

    @Test
    void learnedModelsReadDecisionsByUserWithTheirConversionsAndKeepEveryVersion() {
        String signals = "{\"productViews\":3,\"cartItems\":1}";
        store.saveDecisions(List.of(
                new DecisionRow("m2", T0 + 2, "b", null, "v1", "default", false, null, 0.5, 0.1, 0.2, 0.3, signals, List.of("R"),
                        List.of(new DecisionRow.PlacementRow("home_banner", "R", "c", false)), List.of()),
                new DecisionRow("m1", T0 + 5, "a", null, "v1", "default", false, null, 0.5, 0.1, 0.2, 0.3, signals, List.of("R"),
                        List.of(new DecisionRow.PlacementRow("home_banner", "R", "c", false)), List.of()),
                new DecisionRow("m3", T0 + 1, "a", null, "v1", "default", false, null, 0.5, 0.1, 0.2, 0.3, signals, List.of("R"),
                        List.of(new DecisionRow.PlacementRow("home_banner", "R", "c", false)), List.of())));
        store.saveOutcomes(List.of(new OutcomeRow("m1/v", "m1", "home_banner", "conversion", "a", "R", null, T0 + 6, T0 + 6)));
        dev.kairos.feedback.learn.UserModelStore models = new dev.kairos.feedback.learn.UserModelStore(dataSource);
        List<String> seen = new java.util.ArrayList<>();
        assertThat(models.forEachDecision(T0, T0 + 10, (id, user, at, sig, converted) -> seen.add(user + "/" + id + (converted ? " converted" : ""))))
                .isEqualTo(3);
        assertThat(seen).containsExactly("a/m3", "a/m1 converted", "b/m2");

        models.save(new dev.kairos.feedback.learn.UserModelStore.Version("c1", "conversion", T0, "{}", 10, 2, 0.7, 0.5, "published", "better"));
        models.save(new dev.kairos.feedback.learn.UserModelStore.Version("c2", "conversion", T0 + 1, "{}", 10, 2, 0.4, 0.7, "rejected", "not better"));
        assertThat(models.published("conversion")).hasValueSatisfying(v -> assertThat(v.version()).isEqualTo("c1"));
        assertThat(models.versions(10)).extracting(dev.kairos.feedback.learn.UserModelStore.Version::version).containsExactly("c2", "c1");
        assertThat(models.exists("c2")).isTrue();
        assertThat(models.published("churn")).isEmpty();
    }
}
