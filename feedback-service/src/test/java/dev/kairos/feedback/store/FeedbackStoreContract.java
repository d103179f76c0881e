package dev.kairos.feedback.store;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

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

    static DecisionRow matching(long at, List<String> matched, String winner) {
        return new DecisionRow(id(), at, "u", null, "v1", "default", false, null, 0.5, 0.5, 0.5, 0.5, null,
                matched, List.of(new DecisionRow.PlacementRow("home_banner", winner, "c", false)), List.of());
    }
}
