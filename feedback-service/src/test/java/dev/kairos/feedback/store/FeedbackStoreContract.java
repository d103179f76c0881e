package dev.kairos.feedback.store;

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
        assertThat(Migrations.migrate(dataSource)).isEqualTo(3);
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
        assertThat(store.counts(T0, T0 + 10, GroupBy.ALL).get(0).impressions()).isEqualTo(2);
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
        assertThat(Migrations.migrate(dataSource)).isEqualTo(1);
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

        assertThat(store.series(start, start + 2 * hour, hour, GroupBy.RULE)).containsExactly(
                new SeriesPoint("R1", start, 1, 0, 0, 0),
                new SeriesPoint("R1", start + hour, 0, 1, 0, 0),
                new SeriesPoint("R2", start + hour, 1, 0, 0, 0));
        assertThat(store.series(start, start + 2 * hour, hour, GroupBy.ALL)).containsExactly(
                new SeriesPoint("all", start, 1, 0, 0, 0),
                new SeriesPoint("all", start + hour, 1, 1, 0, 0));
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
