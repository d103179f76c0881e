package dev.kairos.feedback.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps {@code placement_outcomes} (migration V5) current inside the store's write transactions: one
 * row per decision placement with the decision's signal components and flags for what users did
 * (shown, engaged, dismissed, converted) and when they last did something.
 * <p>
 * Decisions and outcomes arrive in either order and on different consumer threads, so each side
 * only ever touches its own columns, and every update is idempotent (flags are OR-ed, the time is a
 * maximum): a replay, or both sides racing on a new row, cannot lose or double anything. The common
 * case costs one batched statement per side (the decision inserts its rows; outcomes update
 * them); the other order costs an insert and an update. Rows are written in key order, so two
 * transactions lock them in the same order.
 */
final class PlacementOutcomes {
    private static final Comparator<String[]> BY_KEY = Comparator.<String[], String>comparing(k -> k[0]).thenComparing(k -> k[1]);

    private PlacementOutcomes() {}

    /** Records the signal components of newly stored decisions on each of their placements. */
    static void decided(Connection c, List<DecisionRow> decisions) throws SQLException {
        if (decisions.isEmpty()) return;
        Map<String[], DecisionRow> rows = new TreeMap<>(BY_KEY);
        for (DecisionRow d : decisions) {
            for (DecisionRow.PlacementRow p : d.placements()) rows.put(new String[] {d.decisionId(), clip(p.placement())}, d);
        }
        List<Map.Entry<String[], DecisionRow>> pending = new ArrayList<>(rows.entrySet());
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO placement_outcomes (decision_id, placement, decided_at, "
                + "recency, depth, conversion) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
             PreparedStatement update = c.prepareStatement("UPDATE placement_outcomes SET decided_at = ?, recency = ?, depth = ?, "
                     + "conversion = ? WHERE decision_id = ? AND placement = ?")) {
            for (Map.Entry<String[], DecisionRow> e : pending) {
                DecisionRow d = e.getValue();
                insert.setString(1, e.getKey()[0]);
                insert.setString(2, e.getKey()[1]);
                insert.setLong(3, d.decidedAt());
                insert.setDouble(4, finite(d.recency()));
                insert.setDouble(5, finite(d.depth()));
                insert.setDouble(6, finite(d.conversionProbability()));
                insert.addBatch();
            }
            int[] inserted = insert.executeBatch();
            boolean any = false;
            for (int i = 0; i < pending.size(); i++) {
                if (i < inserted.length && inserted[i] > 0) continue;
                // Its outcomes came first (or the driver did not say): fill in the decision's side.
                Map.Entry<String[], DecisionRow> e = pending.get(i);
                DecisionRow d = e.getValue();
                update.setLong(1, d.decidedAt());
                update.setDouble(2, finite(d.recency()));
                update.setDouble(3, finite(d.depth()));
                update.setDouble(4, finite(d.conversionProbability()));
                update.setString(5, e.getKey()[0]);
                update.setString(6, e.getKey()[1]);
                update.addBatch();
                any = true;
            }
            if (any) update.executeBatch();
        }
    }

    /** Folds newly stored outcomes into their placements' flags. */
    static void happened(Connection c, List<OutcomeRow> outcomes) throws SQLException {
        if (outcomes.isEmpty()) return;
        Map<String[], Flags> rows = new TreeMap<>(BY_KEY);
        for (OutcomeRow o : outcomes) {
            rows.computeIfAbsent(new String[] {clip(o.decisionId()), clip(o.placement())}, k -> new Flags()).add(o);
        }
        List<Map.Entry<String[], Flags>> pending = new ArrayList<>(rows.entrySet());
        try (PreparedStatement update = c.prepareStatement("UPDATE placement_outcomes SET shown = shown OR ?, engaged = engaged OR ?, "
                + "dismissed = dismissed OR ?, converted = converted OR ?, "
                + "last_outcome_at = GREATEST(COALESCE(last_outcome_at, ?), ?) WHERE decision_id = ? AND placement = ?");
             PreparedStatement insert = c.prepareStatement("INSERT INTO placement_outcomes (decision_id, placement, shown, engaged, "
                     + "dismissed, converted, last_outcome_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            int[] updated = update(update, pending);
            List<Map.Entry<String[], Flags>> missing = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                if (i >= updated.length || updated[i] == 0) missing.add(pending.get(i));
            }
            if (missing.isEmpty()) return;
            // Outcomes before their decision: create the rows; a row another transaction created
            // meanwhile is updated instead.
            for (Map.Entry<String[], Flags> e : missing) {
                Flags f = e.getValue();
                insert.setString(1, e.getKey()[0]);
                insert.setString(2, e.getKey()[1]);
                insert.setBoolean(3, f.shown);
                insert.setBoolean(4, f.engaged);
                insert.setBoolean(5, f.dismissed);
                insert.setBoolean(6, f.converted);
                insert.setLong(7, f.last);
                insert.addBatch();
            }
            int[] inserted = insert.executeBatch();
            List<Map.Entry<String[], Flags>> raced = new ArrayList<>();
            for (int i = 0; i < missing.size(); i++) {
                // 0: another transaction created it meanwhile; negative: the driver did not say (e.g.
                // PostgreSQL's reWriteBatchedInserts), so update anyway (updates are idempotent).
                if (i >= inserted.length || inserted[i] <= 0) raced.add(missing.get(i));
            }
            if (!raced.isEmpty()) update(update, raced);
        }
    }

    private static int[] update(PreparedStatement update, List<Map.Entry<String[], Flags>> rows) throws SQLException {
        for (Map.Entry<String[], Flags> e : rows) {
            Flags f = e.getValue();
            update.setBoolean(1, f.shown);
            update.setBoolean(2, f.engaged);
            update.setBoolean(3, f.dismissed);
            update.setBoolean(4, f.converted);
            update.setLong(5, f.last);
            update.setLong(6, f.last);
            update.setString(7, e.getKey()[0]);
            update.setString(8, e.getKey()[1]);
            update.addBatch();
        }
        return update.executeBatch();
    }

    /** What a batch's outcomes say about one placement. */
    private static final class Flags {
        boolean shown, engaged, dismissed, converted;
        long last = Long.MIN_VALUE;

        void add(OutcomeRow o) {
            switch (o.type()) {
                case "impression" -> shown = true;
                case "click" -> engaged = true;
                case "conversion" -> {
                    engaged = true;
                    converted = true;
                }
                case "dismiss" -> dismissed = true;
                default -> { }
            }
            last = Math.max(last, o.occurredAt());
        }
    }

    private static String clip(String s) {
        return s == null || s.length() <= 64 ? s : s.substring(0, 64);
    }

    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0.0;
    }
}
