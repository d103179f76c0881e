package dev.kairos.feedback.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decisions and outcomes in SQL (H2 in PostgreSQL mode, or PostgreSQL: the same statements run on
 * both), and the KPI aggregations over them.
 *
 * <pre>FeedbackStore store = new FeedbackStore(dataSource);   // schema migrated by {@link Migrations}
 *store.saveDecisions(List.of(decision));
 *store.saveOutcomes(List.of(click));
 *List&lt;GroupCounts&gt; byRule = store.counts(from, to, GroupBy.RULE);</pre>
 *
 * Writes are idempotent: every row is inserted with {@code ON CONFLICT DO NOTHING} on its natural key
 * (decision id; decision id and placement, segment or experiment; outcome key), so replaying a batch
 * never double-counts. A decision's placements, segments and variants are written in the same
 * transaction as the decision itself. One call is one transaction.
 * Outcomes need not wait for their decision: they are joined at query time. Each write also keeps
 * {@code placement_outcomes} (one row per decision placement: its signal components and what users did
 * with it) up to date, in the same transaction. KPI counts are per shown decision placement, not
 * per outcome record (see {@link #counts}). Queries may run on a pool of their own with a timeout
 * ({@link #FeedbackStore(DataSource, DataSource, int)}), so that slow dashboards cannot take
 * ingestion's connections. Thread-safe (each call takes its own connection).
 */
public class FeedbackStore {
    /** Intent score bins used for the accuracy figures (width 0.05). */
    public static final int INTENT_BINS = 20;

    /** Per decision placement: whether it was shown, clicked, dismissed, converted, and by whom. */
    private static final String PLACEMENT_FLAGS =
            "MAX(CASE WHEN o.outcome_type = 'impression' THEN 1 ELSE 0 END) AS shown, "
            + "MAX(CASE WHEN o.outcome_type = 'click' THEN 1 ELSE 0 END) AS clicked, "
            + "MAX(CASE WHEN o.outcome_type = 'dismiss' THEN 1 ELSE 0 END) AS dismissed, "
            + "MAX(CASE WHEN o.outcome_type = 'conversion' THEN 1 ELSE 0 END) AS converted, "
            + "MIN(CASE WHEN o.outcome_type = 'impression' THEN o.occurred_at END) AS shown_at, "
            + "MAX(CASE WHEN o.outcome_type = 'impression' THEN o.user_key END) AS shown_user, "
            + "MAX(CASE WHEN o.outcome_type IN ('click', 'conversion') THEN o.user_key END) AS engaged_user ";

    private final DataSource dataSource;
    private final Map<String, Long> erased = new java.util.concurrent.ConcurrentHashMap<>();
    private boolean erasedLoaded;
    private final DataSource reads;
    private final int queryTimeoutSeconds;
    /** Decisions stored whose facts were too large to keep for replay ({@link #MAX_FACTS_CHARS}). */
    private final java.util.concurrent.atomic.AtomicLong factsNotKept = new java.util.concurrent.atomic.AtomicLong();

    /** A store that writes and reads on {@code dataSource}, with no query timeout. */
    public FeedbackStore(DataSource dataSource) {
        this(dataSource, dataSource, 0);
    }

    /**
     * A store that writes on {@code writes} and runs its queries (KPIs, series, rule activity) on
     * {@code reads}, each cancelled by the database after {@code queryTimeoutSeconds} (0: never)
     * with a {@link QueryTimeoutException}.
     */
    public FeedbackStore(DataSource writes, DataSource reads, int queryTimeoutSeconds) {
        if (queryTimeoutSeconds < 0) throw new IllegalArgumentException("queryTimeoutSeconds must not be negative");
        this.dataSource = writes;
        this.reads = reads;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
    }

    /** Stores decisions not stored yet; returns how many were new. Decisions of an erased user made before the erasure are skipped. */
    public int saveDecisions(List<DecisionRow> all) {
        List<DecisionRow> decisions = notErased(all, DecisionRow::userKey, DecisionRow::decidedAt);
        if (decisions.isEmpty()) return 0;
        int[] tooLarge = {0};
        int stored = inTransaction(c -> {
            int inserted = 0;
            tooLarge[0] = 0;
            try (PreparedStatement d = c.prepareStatement("INSERT INTO decisions (decision_id, decided_at, user_key, session_id, "
                    + "rules_version, weights_version, canary, variant, intent_score, recency, depth, conversion_probability, "
                    + "signals, matched_rules, fallback_reason, latency_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
                 PreparedStatement p = c.prepareStatement("INSERT INTO decision_placements (decision_id, placement, rule_name, "
                         + "content_id, fallback) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
                 PreparedStatement s = c.prepareStatement("INSERT INTO decision_segments (decision_id, segment) VALUES (?, ?) "
                         + "ON CONFLICT DO NOTHING");
                 PreparedStatement v = c.prepareStatement("INSERT INTO decision_variants (decision_id, experiment, variant) "
                         + "VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
                 PreparedStatement f = c.prepareStatement("INSERT INTO decision_facts (decision_id, decided_at, facts) "
                         + "VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                for (DecisionRow r : decisions) {
                    d.setString(1, r.decisionId());
                    d.setLong(2, r.decidedAt());
                    d.setString(3, clip(r.userKey(), 256));
                    d.setString(4, clip(r.sessionId(), 256));
                    d.setString(5, clip(r.rulesVersion(), 64));
                    d.setString(6, clip(r.weightsVersion(), 128));
                    d.setBoolean(7, r.canary());
                    d.setString(8, clip(r.variant(), 64));
                    d.setDouble(9, finite(r.intentScore()));
                    d.setDouble(10, finite(r.recency()));
                    d.setDouble(11, finite(r.depth()));
                    d.setDouble(12, finite(r.conversionProbability()));
                    d.setString(13, clip(r.signalsJson(), 4000));
                    d.setString(14, clip(String.join("\n", r.matchedRules()), 8000));
                    d.setString(15, clip(r.fallbackReason(), 16));
                    if (r.latencyMicros() >= 0) d.setLong(16, r.latencyMicros());
                    else d.setNull(16, java.sql.Types.BIGINT);
                    d.addBatch();
                    for (DecisionRow.PlacementRow pr : r.placements()) {
                        p.setString(1, r.decisionId());
                        p.setString(2, clip(pr.placement(), 64));
                        p.setString(3, clip(pr.rule(), 256));
                        p.setString(4, clip(pr.contentId(), 256));
                        p.setBoolean(5, pr.fallback());
                        p.addBatch();
                    }
                    for (String segment : r.segments()) {
                        s.setString(1, r.decisionId());
                        s.setString(2, clip(segment, 128));
                        s.addBatch();
                    }
                    for (Map.Entry<String, String> e : r.variants().entrySet()) {
                        if (e.getKey() == null || e.getValue() == null) continue;
                        v.setString(1, r.decisionId());
                        v.setString(2, clip(e.getKey(), 64));
                        v.setString(3, clip(e.getValue(), 64));
                        v.addBatch();
                    }
                    // facts too large to keep whole are not kept (a clipped record would replay wrongly)
                    if (r.factsJson() != null && r.factsJson().length() <= MAX_FACTS_CHARS) {
                        f.setString(1, r.decisionId());
                        f.setLong(2, r.decidedAt());
                        f.setString(3, r.factsJson());
                        f.addBatch();
                    }
                }
                int[] counts = d.executeBatch();
                inserted = inserted(counts);
                p.executeBatch();
                s.executeBatch();
                v.executeBatch();
                f.executeBatch();
                List<DecisionRow> fresh = new ArrayList<>(decisions.size());
                for (int i = 0; i < decisions.size(); i++) {
                    if (i >= counts.length || counts[i] != 0) fresh.add(decisions.get(i));
                }
                PlacementOutcomes.decided(c, fresh);
                for (DecisionRow r : fresh) {
                    if (r.factsJson() != null && r.factsJson().length() > MAX_FACTS_CHARS) tooLarge[0]++;
                }
            }
            return inserted;
        });
        factsNotKept.addAndGet(tooLarge[0]); // once committed, and for new decisions only: a batch stored again counts nothing
        return stored;
    }

    /** How many decisions this store kept without their facts since it started, the facts being longer than {@link #MAX_FACTS_CHARS}. */
    public long factsNotKept() {
        return factsNotKept.get();
    }

    /** Stores outcomes not stored yet (by outcome key); returns how many were new. Outcomes of an erased user from before the erasure are skipped. */
    public int saveOutcomes(List<OutcomeRow> all) {
        List<OutcomeRow> outcomes = notErased(all, OutcomeRow::userKey, OutcomeRow::occurredAt);
        if (outcomes.isEmpty()) return 0;
        return inTransaction(c -> {
            try (PreparedStatement o = c.prepareStatement("INSERT INTO outcomes (outcome_key, decision_id, placement, outcome_type, "
                    + "user_key, rule_name, outcome_value, occurred_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT DO NOTHING")) {
                for (OutcomeRow r : outcomes) {
                    o.setString(1, clip(r.outcomeKey(), 200));
                    o.setString(2, clip(r.decisionId(), 64));
                    o.setString(3, clip(r.placement(), 64));
                    o.setString(4, r.type());
                    o.setString(5, clip(r.userKey(), 256));
                    o.setString(6, clip(r.rule(), 256));
                    if (r.value() == null) o.setNull(7, java.sql.Types.DOUBLE);
                    else o.setDouble(7, r.value());
                    o.setLong(8, r.occurredAt());
                    o.setLong(9, r.receivedAt());
                    o.addBatch();
                }
                int[] counts = o.executeBatch();
                List<OutcomeRow> fresh = new ArrayList<>(outcomes.size());
                for (int i = 0; i < outcomes.size(); i++) {
                    if (i >= counts.length || counts[i] != 0) fresh.add(outcomes.get(i));
                }
                PlacementOutcomes.happened(c, fresh);
                return inserted(counts);
            }
        });
    }

    /**
     * Outcome counts per group for outcomes that occurred in {@code [from, to)} (epoch ms), largest
     * groups first; {@link GroupBy#ALL} always answers one row (zeros when nothing happened).
     *
     * <p>The unit is the decision placement, not the outcome record: a placement counts once as an
     * impression when it has at least one impression in the window, and then at most once as a
     * click, a dismiss and a conversion (whatever of those it has in the window). Repeated
     * impressions or clicks of the same placement (each SDK outcome has its own id) count once, so
     * {@code clicks <= impressions} always; an interaction whose placement has no impression in the
     * window (lost, or reported before the window opened) is not counted.
     */
    public List<GroupCounts> counts(long from, long to, GroupBy by) {
        // Inner level: one row per decision placement (and group) with a flag per outcome type;
        // outer level: a plain aggregation. No join against a derived table (H2 evaluates those poorly).
        String sql = "SELECT " + (by == GroupBy.ALL ? "'all'" : "grp") + ", "
                + "COUNT(*) AS impressions, SUM(clicked) AS clicks, SUM(dismissed) AS dismisses, SUM(converted) AS conversions, "
                + "COUNT(DISTINCT shown_user) AS users_impressed, COUNT(DISTINCT engaged_user) AS users_engaged FROM ("
                + "SELECT " + by.sql + " AS grp, " + PLACEMENT_FLAGS
                + "FROM outcomes o " + joins(by)
                + "WHERE o.occurred_at >= ? AND o.occurred_at < ? "
                + "GROUP BY o.decision_id, o.placement" + (by == GroupBy.ALL ? "" : ", " + by.sql) + ") u WHERE shown = 1 "
                + (by == GroupBy.ALL ? "" : "GROUP BY grp ORDER BY impressions DESC, grp");
        return query(sql, from, to, rs -> new GroupCounts(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                rs.getLong(5), rs.getLong(6), rs.getLong(7)));
    }

    /**
     * Shown decision placements (an impression in {@code [from, to)}) whose decision is stored, per
     * group and intent score bin (see {@link #INTENT_BINS}).
     */
    public List<IntentBin> intentBins(long from, long to, GroupBy by) {
        String bin = "LEAST(" + (INTENT_BINS - 1) + ", GREATEST(0, CAST(FLOOR(COALESCE(d.intent_score, 0) * " + INTENT_BINS + ") AS INTEGER)))";
        // Inner level: one row per shown decision placement (and segment, when grouping by it), joined
        // on indexed keys; outer level: a plain aggregation. No join against a derived table, which
        // H2 evaluates poorly.
        String sql = "SELECT grp, bin, COUNT(*) AS shown, SUM(engaged) AS engaged, "
                + "SUM(CASE WHEN fallback = FALSE THEN 1 ELSE 0 END) AS triggered, "
                + "SUM(CASE WHEN fallback = FALSE AND dismissed = 1 AND engaged = 0 THEN 1 ELSE 0 END) AS friction FROM ("
                + "SELECT " + by.sql + " AS grp, " + bin + " AS bin, COALESCE(dp.fallback, FALSE) AS fallback, "
                + "MAX(CASE WHEN o.outcome_type = 'impression' THEN 1 ELSE 0 END) AS shown, "
                + "MAX(CASE WHEN o.outcome_type IN ('click', 'conversion') THEN 1 ELSE 0 END) AS engaged, "
                + "MAX(CASE WHEN o.outcome_type = 'dismiss' THEN 1 ELSE 0 END) AS dismissed "
                + "FROM outcomes o JOIN decisions d ON d.decision_id = o.decision_id "
                + "LEFT JOIN decision_placements dp ON dp.decision_id = o.decision_id AND dp.placement = o.placement "
                + (by == GroupBy.SEGMENT ? "LEFT JOIN decision_segments ds ON ds.decision_id = o.decision_id " : "")
                + (by == GroupBy.VARIANT ? "LEFT JOIN decision_variants dv ON dv.decision_id = o.decision_id " : "")
                + "WHERE o.occurred_at >= ? AND o.occurred_at < ? "
                + "GROUP BY o.decision_id, o.placement, " + (by == GroupBy.ALL ? "" : by.sql + ", ") + bin + ", dp.fallback) u "
                + "WHERE shown = 1 GROUP BY grp, bin ORDER BY grp, bin";
        return query(sql, from, to, rs -> new IntentBin(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getLong(4),
                rs.getLong(5), rs.getLong(6)));
    }

    /**
     * Outcome counts per group and time bucket of {@code bucketMillis} (buckets aligned to the epoch,
     * so days are UTC days) for outcomes in {@code [from, to)}, ordered by group and time. Empty
     * buckets are absent. Counted like {@link #counts}, per decision placement; a placement falls in
     * the bucket of its first impression in the window, with its clicks, dismisses and conversions
     * (even when they came in a later bucket), so the buckets add up to {@link #counts}.
     */
    public List<SeriesPoint> series(long from, long to, long bucketMillis, GroupBy by) {
        if (bucketMillis <= 0) throw new IllegalArgumentException("bucketMillis must be positive");
        // The bucket size is inlined (a number, never user text): PostgreSQL matches GROUP BY
        // expressions textually, and two bind parameters would not match.
        String bucket = "(shown_at / " + bucketMillis + ")";
        String sql = "SELECT " + (by == GroupBy.ALL ? "'all'" : "grp") + " AS grp, " + bucket + " AS bucket, "
                + "COUNT(*) AS impressions, SUM(clicked) AS clicks, SUM(dismissed) AS dismisses, SUM(converted) AS conversions FROM ("
                + "SELECT " + by.sql + " AS grp, " + PLACEMENT_FLAGS
                + "FROM outcomes o " + joins(by)
                + "WHERE o.occurred_at >= ? AND o.occurred_at < ? "
                + "GROUP BY o.decision_id, o.placement" + (by == GroupBy.ALL ? "" : ", " + by.sql) + ") u WHERE shown = 1 "
                + "GROUP BY " + (by == GroupBy.ALL ? "" : "grp, ") + bucket + " ORDER BY grp, bucket";
        return query(sql, from, to, rs -> new SeriesPoint(rs.getString(1), rs.getLong(2) * bucketMillis, rs.getLong(3),
                rs.getLong(4), rs.getLong(5), rs.getLong(6)));
    }

    /**
     * Decisions taken in {@code [from, to)} (epoch ms) per UTC day, rules version and canary flag,
     * ordered by day, version and canary flag (stable traffic first).
     */
    public List<RulesVersionDay> rulesVersionsPerDay(long from, long to) {
        long day = 86_400_000L;
        // The day expression is inlined (a constant): PostgreSQL matches GROUP BY expressions textually.
        String bucket = "(decided_at / " + day + ")";
        String version = "COALESCE(rules_version, '" + GroupBy.NONE + "')";
        String sql = "SELECT " + version + " AS v, canary, " + bucket + " AS d, COUNT(*) AS n FROM decisions "
                + "WHERE decided_at >= ? AND decided_at < ? GROUP BY " + version + ", canary, " + bucket
                + " ORDER BY d, v, canary";
        return query(sql, from, to, rs -> new RulesVersionDay(rs.getString(1), rs.getBoolean(2), rs.getLong(3) * day, rs.getLong(4)));
    }

    /**
     * Placements won per rule by decisions taken in {@code [from, to)} (epoch ms); fallbacks count
     * for the fallback rule they name. Rules that won nothing are absent.
     */
    public Map<String, Long> winsPerRule(long from, long to) {
        Map<String, Long> out = new java.util.TreeMap<>();
        winsPerRuleAndVersion(from, to).forEach((rule, perVersion) -> out.put(rule, perVersion.values().stream().mapToLong(Long::longValue).sum()));
        return out;
    }

    /** {@link #winsPerRule}, split by the rules version that decided ({@code "none"} when unknown): rule to version to placements won. */
    public Map<String, Map<String, Long>> winsPerRuleAndVersion(long from, long to) {
        String sql = "SELECT dp.rule_name, COALESCE(d.rules_version, '" + GroupBy.NONE + "'), COUNT(*) FROM decision_placements dp "
                + "JOIN decisions d ON d.decision_id = dp.decision_id "
                + "WHERE d.decided_at >= ? AND d.decided_at < ? AND dp.rule_name IS NOT NULL GROUP BY dp.rule_name, COALESCE(d.rules_version, '"
                + GroupBy.NONE + "')";
        Map<String, Map<String, Long>> out = new java.util.TreeMap<>();
        for (Object[] row : query(sql, from, to, rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)})) {
            out.computeIfAbsent((String) row[0], k -> new java.util.TreeMap<>()).put((String) row[1], (Long) row[2]);
        }
        return out;
    }

    /** Decisions taken in {@code [from, to)} (epoch ms) whose matched rules include {@code rule} (exact name). */
    public long decisionsMatching(String rule, long from, long to) {
        return decisionsMatchingPerVersion(rule, from, to).values().stream().mapToLong(Long::longValue).sum();
    }

    /** {@link #decisionsMatching}, split by the rules version that decided ({@code "none"} when unknown). */
    public Map<String, Long> decisionsMatchingPerVersion(String rule, long from, long to) {
        String escaped = rule.replace("!", "!!").replace("%", "!%").replace("_", "!_");
        // matched_rules is the names joined by newlines; a name cannot hold one (rules-server's names are single-line).
        String version = "COALESCE(rules_version, '" + GroupBy.NONE + "')";
        String sql = "SELECT " + version + ", COUNT(*) FROM decisions WHERE decided_at >= ? AND decided_at < ? "
                + "AND (? || matched_rules || ?) LIKE ? ESCAPE '!' GROUP BY " + version;
        Map<String, Long> out = new java.util.TreeMap<>();
        try (Connection c = reads.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(queryTimeoutSeconds);
            ps.setLong(1, from);
            ps.setLong(2, to);
            ps.setString(3, "\n");
            ps.setString(4, "\n");
            ps.setString(5, "%\n" + escaped + "\n%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw readFailure(e);
        }
        return out;
    }

    /** Shown placements of one arm of a canary and what they got. */
    public record ArmCounts(long shown, long engaged, long dismissed, long converted) {
        public static final ArmCounts NONE = new ArmCounts(0, 0, 0, 0);
    }

    /**
     * The canary's arm ({@code canary} version, canary traffic) and the control's ({@code active}
     * version, stable traffic) since {@code since} (epoch ms): shown placements and how many were
     * engaged, dismissed and converted. Index: {@code [0]} control, {@code [1]} canary.
     */
    public ArmCounts[] canaryArms(String active, String canary, long since) {
        String sql = "SELECT d.canary, COUNT(*), SUM(CASE WHEN po.engaged THEN 1 ELSE 0 END), SUM(CASE WHEN po.dismissed THEN 1 ELSE 0 END), "
                + "SUM(CASE WHEN po.converted THEN 1 ELSE 0 END) FROM placement_outcomes po JOIN decisions d ON d.decision_id = po.decision_id "
                + "WHERE po.shown = TRUE AND d.decided_at >= ? AND ((d.rules_version = ? AND d.canary = TRUE) OR (d.rules_version = ? AND d.canary = FALSE)) "
                + "GROUP BY d.canary";
        ArmCounts[] arms = {ArmCounts.NONE, ArmCounts.NONE};
        try (Connection c = reads.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(queryTimeoutSeconds);
            ps.setLong(1, since);
            ps.setString(2, canary);
            ps.setString(3, active);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) arms[rs.getBoolean(1) ? 1 : 0] = new ArmCounts(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
            }
        } catch (SQLException e) {
            throw readFailure(e);
        }
        return arms;
    }

    /** Content shown on a placement (to one segment, or to everyone when {@code segment} is null) and how often it was engaged. */
    public record ContentCounts(String placement, String segment, String contentId, long shown, long engaged) {}

    /**
     * What was shown since {@code since} (epoch ms) and engaged, per placement and content: once for
     * everyone ({@code segment} null) and once per segment the users were in; only content shown at
     * least {@code minShown} times. For the base layer's "popular with similar users".
     */
    public List<ContentCounts> contentCounts(long since, long minShown) {
        String engaged = "SUM(CASE WHEN po.engaged THEN 1 ELSE 0 END)";
        String from = "FROM placement_outcomes po JOIN decision_placements dp ON dp.decision_id = po.decision_id AND dp.placement = po.placement ";
        String where = "WHERE po.shown = TRUE AND po.decided_at >= ? AND dp.content_id IS NOT NULL ";
        String all = "SELECT dp.placement, CAST(NULL AS VARCHAR(128)), dp.content_id, COUNT(*), " + engaged + " " + from + where
                + "GROUP BY dp.placement, dp.content_id HAVING COUNT(*) >= ?";
        String bySegment = "SELECT dp.placement, ds.segment, dp.content_id, COUNT(*), " + engaged + " " + from
                + "JOIN decision_segments ds ON ds.decision_id = po.decision_id " + where
                + "GROUP BY dp.placement, ds.segment, dp.content_id HAVING COUNT(*) >= ?";
        List<ContentCounts> out = new ArrayList<>();
        try (Connection c = reads.getConnection()) {
            for (String sql : List.of(all, bySegment)) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setQueryTimeout(queryTimeoutSeconds);
                    ps.setLong(1, since);
                    ps.setLong(2, minShown);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) out.add(new ContentCounts(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5)));
                    }
                }
            }
        } catch (SQLException e) {
            throw readFailure(e);
        }
        return out;
    }

    /** The health of one arm of a canary: decisions, those the rules did not answer, those with a latency, and those slower than a threshold. */
    public record ArmHealth(long decisions, long failed, long timed, long slower) {
        public static final ArmHealth NONE = new ArmHealth(0, 0, 0, 0);
    }

    /** Both arms' health ({@code [0]} control, {@code [1]} canary), the control's p99 latency (the threshold) and the canary's, in µs (−1: none). */
    public record CanaryHealth(ArmHealth control, ArmHealth canary, long controlP99, long canaryP99) {}

    /**
     * The decisions of the canary's arm and the control's since {@code since} (epoch ms): how many,
     * how many the rules did not answer (deadline, error, overloaded), and how many of those with a
     * logged latency were slower than the control's 99th percentile.
     */
    public CanaryHealth canaryHealth(String active, String canary, long since) {
        long controlP99 = p99(active, false, since);
        long canaryP99 = p99(canary, true, since);
        String sql = "SELECT canary, COUNT(*), SUM(CASE WHEN fallback_reason IS NOT NULL THEN 1 ELSE 0 END), "
                + "SUM(CASE WHEN latency_us IS NOT NULL THEN 1 ELSE 0 END), SUM(CASE WHEN latency_us > ? THEN 1 ELSE 0 END) FROM decisions "
                + "WHERE decided_at >= ? AND ((rules_version = ? AND canary = TRUE) OR (rules_version = ? AND canary = FALSE)) GROUP BY canary";
        ArmHealth[] arms = {ArmHealth.NONE, ArmHealth.NONE};
        try (Connection c = reads.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(queryTimeoutSeconds);
            ps.setLong(1, controlP99 < 0 ? Long.MAX_VALUE : controlP99);
            ps.setLong(2, since);
            ps.setString(3, canary);
            ps.setString(4, active);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) arms[rs.getBoolean(1) ? 1 : 0] = new ArmHealth(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
            }
        } catch (SQLException e) {
            throw readFailure(e);
        }
        return new CanaryHealth(arms[0], arms[1], controlP99, canaryP99);
    }

    /** The 99th percentile latency (µs) of one arm's decisions since {@code since}; −1 without any. */
    private long p99(String version, boolean canary, long since) {
        String where = "FROM decisions WHERE decided_at >= ? AND rules_version = ? AND canary = ? AND latency_us IS NOT NULL";
        try (Connection c = reads.getConnection()) {
            long n;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) " + where)) {
                ps.setQueryTimeout(queryTimeoutSeconds);
                ps.setLong(1, since);
                ps.setString(2, version);
                ps.setBoolean(3, canary);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    n = rs.getLong(1);
                }
            }
            if (n == 0) return -1;
            try (PreparedStatement ps = c.prepareStatement("SELECT latency_us " + where + " ORDER BY latency_us DESC LIMIT 1 OFFSET ?")) {
                ps.setQueryTimeout(queryTimeoutSeconds);
                ps.setLong(1, since);
                ps.setString(2, version);
                ps.setBoolean(3, canary);
                ps.setLong(4, n / 100);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : -1;
                }
            }
        } catch (SQLException e) {
            throw readFailure(e);
        }
    }

    /** Stores the guardrail settings chosen for canaries of {@code version} (JSON), replacing earlier ones. */
    public void saveGuardrailSettings(String version, String json, long now) {
        inTransaction(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM canary_guardrails WHERE rules_version = ?");
                 PreparedStatement ins = c.prepareStatement("INSERT INTO canary_guardrails (rules_version, settings, set_at) VALUES (?, ?, ?)")) {
                del.setString(1, version);
                del.executeUpdate();
                ins.setString(1, version);
                ins.setString(2, json);
                ins.setLong(3, now);
                ins.executeUpdate();
            }
            return null;
        });
    }

    /** The guardrail settings chosen for canaries of {@code version}, if any. */
    public Optional<String> guardrailSettings(String version) {
        try (Connection c = reads.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT settings FROM canary_guardrails WHERE rules_version = ?")) {
            ps.setString(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw readFailure(e);
        }
    }

    /**
     * The largest facts record kept for replay, in characters: 1 MiB (a typical one is 1-2 KB), as large as the decision
     * log's Kafka requests ({@code max.request.size}), so every decision that reaches the store has its facts kept unless
     * that limit is raised. 16,000 before migration V14.
     */
    public static final int MAX_FACTS_CHARS = 1_048_576;

    /** One recorded decision for replay: its facts (JSON) and what each placement showed and got. */
    public record ReplayRow(String decisionId, long decidedAt, String rulesVersion, String factsJson, List<ReplayPlacement> placements) {}

    /** What one placement of a recorded decision showed, and whether it was shown, engaged, dismissed, converted. */
    public record ReplayPlacement(String placement, String rule, String contentId, boolean fallback, boolean shown, boolean engaged,
                                  boolean dismissed, boolean converted, double propensity) {
        /** A placement decided deterministically (propensity 1). */
        public ReplayPlacement(String placement, String rule, String contentId, boolean fallback, boolean shown, boolean engaged,
                               boolean dismissed, boolean converted) {
            this(placement, rule, contentId, fallback, shown, engaged, dismissed, converted, 1.0);
        }
    }

    /**
     * Streams the decisions with facts taken in {@code [from, to)} (epoch ms), oldest first, at most
     * {@code limit}, to {@code each} (on this thread, as the database returns them: memory stays flat).
     * Returns how many were streamed. Not bound by the query timeout (an export runs as long as it needs).
     */
    public long streamReplay(long from, long to, long limit, java.util.function.Consumer<ReplayRow> each) {
        String sql = "SELECT f.decision_id, f.decided_at, d.rules_version, f.facts, dp.placement, dp.rule_name, dp.content_id, dp.fallback, "
                + "po.shown, po.engaged, po.dismissed, po.converted, "
                // the probability the logged content was chosen with: the product of its choose(...) propensities (1 without)
                + "(SELECT EXP(SUM(LN(dc.propensity))) FROM decision_choices dc WHERE dc.decision_id = dp.decision_id AND dc.placement = dp.placement) "
                + "FROM decision_facts f JOIN decisions d ON d.decision_id = f.decision_id "
                + "LEFT JOIN decision_placements dp ON dp.decision_id = f.decision_id "
                + "LEFT JOIN placement_outcomes po ON po.decision_id = dp.decision_id AND po.placement = dp.placement "
                + "WHERE f.decided_at >= ? AND f.decided_at < ? ORDER BY f.decided_at, f.decision_id";
        long count = 0;
        try (Connection c = reads.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(1000);
                ps.setLong(1, from);
                ps.setLong(2, to);
                try (ResultSet rs = ps.executeQuery()) {
                    String current = null;
                    long decidedAt = 0;
                    String version = null, facts = null;
                    List<ReplayPlacement> placements = new ArrayList<>();
                    while (rs.next()) {
                        String id = rs.getString(1);
                        if (!id.equals(current)) {
                            if (current != null) {
                                each.accept(new ReplayRow(current, decidedAt, version, facts, List.copyOf(placements)));
                                if (++count >= limit) return count;
                            }
                            current = id;
                            decidedAt = rs.getLong(2);
                            version = rs.getString(3);
                            facts = rs.getString(4);
                            placements.clear();
                        }
                        String placement = rs.getString(5);
                        if (placement != null) {
                            double propensity = rs.getDouble(13);
                            if (rs.wasNull() || !(propensity > 0 && propensity <= 1)) propensity = 1.0;
                            placements.add(new ReplayPlacement(placement, rs.getString(6), rs.getString(7), rs.getBoolean(8),
                                    rs.getBoolean(9), rs.getBoolean(10), rs.getBoolean(11), rs.getBoolean(12), propensity));
                        }
                    }
                    if (current != null) {
                        each.accept(new ReplayRow(current, decidedAt, version, facts, List.copyOf(placements)));
                        count++;
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw readFailure(e);
        }
        return count;
    }

    /** Deletes the replay facts of decisions taken before {@code before} (epoch ms); returns how many. */
    public int pruneFacts(long before) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM decision_facts WHERE decided_at < ?")) {
                ps.setLong(1, before);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Erases users: deletes every decision of {@code userKeys} (with its placements, segments,
     * variants and outcome summary) and every outcome of them or of their decisions, and remembers
     * a hash of each key so that their older records are not stored again. Idempotent: a request
     * already carried out changes nothing. Returns the rows deleted.
     */
    public long erase(String requestId, Collection<String> userKeys, long erasedAt) {
        long deleted = inTransaction(c -> {
            try (PreparedStatement done = c.prepareStatement("SELECT rows_deleted FROM erasures WHERE request_id = ?")) {
                done.setString(1, clip(requestId, 64));
                try (ResultSet rs = done.executeQuery()) {
                    if (rs.next()) return -1L;
                }
            }
            long rows = 0;
            String ofUser = "(SELECT decision_id FROM decisions WHERE user_key = ?)";
            String ofUserOutcomes = "(SELECT decision_id FROM outcomes WHERE user_key = ?)";
            String[] statements = {
                "DELETE FROM decision_choices WHERE decision_id IN " + ofUser,
                "DELETE FROM decision_facts WHERE decision_id IN " + ofUser,
                "DELETE FROM decision_placements WHERE decision_id IN " + ofUser,
                "DELETE FROM decision_segments WHERE decision_id IN " + ofUser,
                "DELETE FROM decision_variants WHERE decision_id IN " + ofUser,
                "DELETE FROM placement_outcomes WHERE decision_id IN " + ofUser,
                "DELETE FROM placement_outcomes WHERE decision_id IN " + ofUserOutcomes,
                "DELETE FROM outcomes WHERE decision_id IN " + ofUser,
                "DELETE FROM outcomes WHERE user_key = ?",
                "DELETE FROM decisions WHERE user_key = ?",
                "DELETE FROM trigger_deliveries WHERE user_key = ?",
            };
            for (String key : userKeys) {
                if (key == null || key.isEmpty()) continue;
                for (String sql : statements) {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setString(1, clip(key, 256));
                        rows += ps.executeUpdate();
                    }
                }
                try (PreparedStatement del = c.prepareStatement("DELETE FROM erased_users WHERE key_hash = ?");
                     PreparedStatement ins = c.prepareStatement("INSERT INTO erased_users (key_hash, erased_at) VALUES (?, ?)")) {
                    del.setString(1, hash(key));
                    del.executeUpdate();
                    ins.setString(1, hash(key));
                    ins.setLong(2, erasedAt);
                    ins.executeUpdate();
                }
            }
            try (PreparedStatement log = c.prepareStatement("INSERT INTO erasures (request_id, erased_at, keys_erased, rows_deleted) "
                    + "VALUES (?, ?, ?, ?)")) {
                log.setString(1, clip(requestId, 64));
                log.setLong(2, erasedAt);
                log.setInt(3, userKeys.size());
                log.setLong(4, rows);
                log.executeUpdate();
            }
            return rows;
        });
        if (deleted >= 0) {
            for (String key : userKeys) if (key != null && !key.isEmpty()) erased.put(hash(key), erasedAt);
        }
        return Math.max(0, deleted);
    }

    /** An erasure carried out: when, how many keys, how many rows; empty when {@code requestId} was not (yet) carried out. */
    public Optional<Erasure> erasure(String requestId) {
        try (Connection c = reads.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT erased_at, keys_erased, rows_deleted FROM erasures WHERE request_id = ?")) {
            ps.setString(1, clip(requestId, 64));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Erasure(requestId, rs.getLong(1), rs.getInt(2), rs.getLong(3))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw readFailure(e);
        }
    }

    /** An erasure request as carried out by {@link #erase}. */
    public record Erasure(String requestId, long erasedAt, int keys, long rowsDeleted) {}

    private <T> List<T> notErased(List<T> rows, java.util.function.Function<T, String> userKey, java.util.function.ToLongFunction<T> at) {
        Map<String, Long> known = erasedUsers();
        if (known.isEmpty()) return rows;
        List<T> out = new ArrayList<>(rows.size());
        for (T r : rows) {
            String key = userKey.apply(r);
            Long erasedAt = key == null ? null : known.get(hash(key));
            if (erasedAt == null || at.applyAsLong(r) > erasedAt) out.add(r);
        }
        return out;
    }

    /** The erased users' key hashes, read once from the database, then kept current by {@link #erase}. */
    private Map<String, Long> erasedUsers() {
        synchronized (erased) {
            if (!erasedLoaded) {
                try (Connection c = reads.getConnection();
                     PreparedStatement ps = c.prepareStatement("SELECT key_hash, erased_at FROM erased_users");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) erased.put(rs.getString(1), rs.getLong(2));
                    erasedLoaded = true;
                } catch (SQLException e) {
                    throw new StoreException("cannot read erased users: " + e.getMessage(), e);
                }
            }
            return erased;
        }
    }

    static String hash(String key) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder(64);
            for (byte b : h) hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            return hex.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rows in each table, for health checks and tests. */
    public long count(String table) {
        if (!List.of("decisions", "decision_placements", "decision_segments", "decision_variants", "decision_facts", "outcomes").contains(table)) {
            throw new IllegalArgumentException("unknown table " + table);
        }
        return query("SELECT COUNT(*) FROM " + table + " WHERE 1 = ? OR 1 = ?", 1, 1, rs -> rs.getLong(1)).get(0);
    }

    private static String joins(GroupBy by) {
        return "LEFT JOIN decisions d ON d.decision_id = o.decision_id "
                + "LEFT JOIN decision_placements dp ON dp.decision_id = o.decision_id AND dp.placement = o.placement "
                + (by == GroupBy.SEGMENT ? "LEFT JOIN decision_segments ds ON ds.decision_id = o.decision_id " : "")
                + (by == GroupBy.VARIANT ? "LEFT JOIN decision_variants dv ON dv.decision_id = o.decision_id " : "");
    }

    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, long a, long b, RowMapper<T> mapper) {
        try (Connection c = reads.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(queryTimeoutSeconds);
            ps.setLong(1, a);
            ps.setLong(2, b);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) out.add(mapper.map(rs));
                return out;
            }
        } catch (SQLException e) {
            throw readFailure(e);
        }
    }

    /**
     * A query cancelled by the timeout (SQLSTATE 57014 on PostgreSQL and H2) or a read connection
     * not freed up in time (HikariCP's {@link SQLTransientConnectionException}) is a
     * {@link QueryTimeoutException}; anything else a plain {@link StoreException}.
     */
    private static StoreException readFailure(SQLException e) {
        if (e instanceof SQLTimeoutException || e instanceof SQLTransientConnectionException || "57014".equals(e.getSQLState())) {
            return new QueryTimeoutException("query cancelled after the query timeout: " + e.getMessage(), e);
        }
        return new StoreException("query failed: " + e.getMessage(), e);
    }

    private <T> T inTransaction(Transactions.Work<T> work) {
        return Transactions.inTransaction(dataSource, "write", work);
    }

    private static int inserted(int[] counts) {
        int n = 0;
        for (int c : counts) {
            if (c > 0) n += c;
        }
        return n;
    }

    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0.0;
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
