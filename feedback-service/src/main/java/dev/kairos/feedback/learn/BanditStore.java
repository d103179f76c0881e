package dev.kairos.feedback.learn;

import dev.kairos.feedback.store.StoreException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The bandit's training data: the logged choices ({@code decision_choices}) and, joined with the
 * placements' outcomes, what each shown choice earned. H2 and PostgreSQL.
 */
public final class BanditStore {
    /** One logged choice. {@code arms} and {@code features} as the decision record had them (JSON array text). */
    public record ChoiceRow(String decisionId, String placement, String point, long decidedAt, int arm, String arms, double propensity,
                            boolean explored, String modelVersion, String features) {}

    /** One shown choice and whether it was engaged with. */
    public record Shown(String point, String arms, int arm, double propensity, String features, boolean engaged, String placement) {}

    private final DataSource dataSource;

    public BanditStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores choices not stored yet; returns how many were new. */
    public int save(List<ChoiceRow> rows) {
        if (rows.isEmpty()) return 0;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO decision_choices (decision_id, placement, point, decided_at, arm, arms, "
                     + "propensity, explored, model_version, features) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (ChoiceRow r : rows) {
                ps.setString(1, r.decisionId());
                ps.setString(2, r.placement());
                ps.setString(3, clip(r.point(), 300));
                ps.setLong(4, r.decidedAt());
                ps.setInt(5, r.arm());
                ps.setString(6, clip(r.arms(), 4000));
                ps.setDouble(7, r.propensity());
                ps.setBoolean(8, r.explored());
                ps.setString(9, clip(r.modelVersion(), 64));
                ps.setString(10, clip(r.features(), 1000));
                ps.addBatch();
            }
            int n = 0;
            for (int x : ps.executeBatch()) n += Math.max(0, x);
            return n;
        } catch (SQLException e) {
            throw new StoreException("write failed: " + e.getMessage(), e);
        }
    }

    /** The shown choices decided since {@code since} (epoch ms) with whether they were engaged with, oldest first. */
    public List<Shown> shown(long since) {
        String sql = "SELECT c.point, c.arms, c.arm, c.propensity, c.features, po.engaged, c.placement FROM decision_choices c "
                + "JOIN placement_outcomes po ON po.decision_id = c.decision_id AND po.placement = c.placement "
                + "WHERE po.shown = TRUE AND c.decided_at >= ? ORDER BY c.decided_at";
        List<Shown> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, since);
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new Shown(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getDouble(4), rs.getString(5), rs.getBoolean(6), rs.getString(7)));
            }
        } catch (SQLException e) {
            throw new StoreException("query failed: " + e.getMessage(), e);
        }
        return out;
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
