package dev.kairos.feedback.weights;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.feedback.store.StoreException;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Weights versions, their publications, and the training data for recalibration, in the same SQL
 * database as the decisions (tables from migration V2). Thread-safe.
 */
public class WeightsStore {
    private static final TypeReference<Map<String, Double>> NAMED = new TypeReference<>() {};

    private final DataSource dataSource;
    private final ObjectMapper json;

    public WeightsStore(DataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    /** Signal components and whether the shown placement was engaged with (click or conversion). */
    public record Sample(String decisionId, double recency, double depth, double conversion, boolean engaged) {}

    /**
     * Every decision placement shown (an impression) with outcomes in {@code [from, to)}, with the
     * decision's signal components, at most {@code limit} of them (the most recent).
     */
    public List<Sample> samples(long from, long to, int limit) {
        // One level of aggregation over joins on indexed keys (no join against a derived table).
        String sql = "SELECT d.decision_id, d.recency, d.depth, d.conversion_probability, "
                + "MAX(CASE WHEN o.outcome_type IN ('click', 'conversion') THEN 1 ELSE 0 END) AS engaged "
                + "FROM outcomes o JOIN decisions d ON d.decision_id = o.decision_id "
                + "WHERE o.occurred_at >= ? AND o.occurred_at < ? "
                + "GROUP BY o.decision_id, o.placement, d.decision_id, d.recency, d.depth, d.conversion_probability "
                + "HAVING MAX(CASE WHEN o.outcome_type = 'impression' THEN 1 ELSE 0 END) = 1 "
                + "ORDER BY MAX(o.occurred_at) DESC, d.decision_id LIMIT ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, from);
            ps.setLong(2, to);
            ps.setInt(3, limit);
            ps.setFetchSize(10_000);
            List<Sample> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new Sample(rs.getString(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4), rs.getInt(5) == 1));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("reading training samples failed: " + e.getMessage(), e);
        }
    }

    /** Stores a new version. */
    public void save(WeightsVersion v) {
        String sql = "INSERT INTO weights_versions (version, created_at, recency, depth, conversion, named, training_n, holdout_n, "
                + "holdout_auc, baseline_auc, baseline, status, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, v.version());
            ps.setLong(2, v.createdAt().toEpochMilli());
            ps.setDouble(3, v.recency());
            ps.setDouble(4, v.depth());
            ps.setDouble(5, v.conversion());
            ps.setString(6, json.writeValueAsString(v.named()));
            setLong(ps, 7, v.trainingN());
            setLong(ps, 8, v.holdoutN());
            setDouble(ps, 9, v.holdoutAuc());
            setDouble(ps, 10, v.baselineAuc());
            ps.setString(11, v.baseline());
            ps.setString(12, v.status());
            ps.setString(13, v.reason() == null || v.reason().length() <= 1000 ? v.reason() : v.reason().substring(0, 1000));
            ps.executeUpdate();
        } catch (SQLException | IOException e) {
            throw new StoreException("saving weights version failed: " + e.getMessage(), e);
        }
    }

    /** Records that {@code version} was published now. */
    public void published(String version, Instant at, String action) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO weights_publications (version, published_at, action) VALUES (?, ?, ?)")) {
            ps.setString(1, version);
            ps.setLong(2, at.toEpochMilli());
            ps.setString(3, action);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("recording publication failed: " + e.getMessage(), e);
        }
    }

    /** Every stored version, newest first. */
    public List<WeightsVersion> versions() {
        return select("SELECT * FROM weights_versions ORDER BY created_at DESC, version DESC", null);
    }

    public Optional<WeightsVersion> version(String version) {
        return select("SELECT * FROM weights_versions WHERE version = ?", version).stream().findFirst();
    }

    /** Publications, newest first. */
    public List<Publication> publications() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT seq, version, published_at, action FROM weights_publications ORDER BY seq DESC");
             ResultSet rs = ps.executeQuery()) {
            List<Publication> out = new ArrayList<>();
            while (rs.next()) out.add(new Publication(rs.getLong(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4)));
            return out;
        } catch (SQLException e) {
            throw new StoreException("reading publications failed: " + e.getMessage(), e);
        }
    }

    /** The version published last, or the built-in prior when none was. */
    public WeightsVersion current() {
        List<Publication> p = publications();
        if (p.isEmpty()) return WeightsVersion.PRIOR;
        return version(p.get(0).version()).orElse(WeightsVersion.PRIOR);
    }

    private List<WeightsVersion> select(String sql, String param) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (param != null) ps.setString(1, param);
            List<WeightsVersion> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String named = rs.getString("named");
                    out.add(new WeightsVersion(rs.getString("version"), Instant.ofEpochMilli(rs.getLong("created_at")),
                            rs.getDouble("recency"), rs.getDouble("depth"), rs.getDouble("conversion"),
                            named == null ? new HashMap<>() : json.readValue(named, NAMED),
                            getLong(rs, "training_n"), getLong(rs, "holdout_n"), getDouble(rs, "holdout_auc"),
                            getDouble(rs, "baseline_auc"), rs.getString("baseline"), rs.getString("status"), rs.getString("reason")));
                }
            }
            return out;
        } catch (SQLException | IOException e) {
            throw new StoreException("reading weights versions failed: " + e.getMessage(), e);
        }
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) ps.setNull(i, Types.BIGINT);
        else ps.setLong(i, v);
    }

    private static void setDouble(PreparedStatement ps, int i, Double v) throws SQLException {
        if (v == null || !Double.isFinite(v)) ps.setNull(i, Types.DOUBLE);
        else ps.setDouble(i, v);
    }

    private static Long getLong(ResultSet rs, String col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    private static Double getDouble(ResultSet rs, String col) throws SQLException {
        double v = rs.getDouble(col);
        return rs.wasNull() ? null : v;
    }
}
