package dev.kairos.feedback.learn;

import dev.kairos.feedback.store.StoreException;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.kairos.feedback.store.Columns.getDouble;
import static dev.kairos.feedback.store.Columns.setDouble;

/**
 * What the learned user models are fitted from (logged decisions with their signals and whether they
 * converted) and every version fitted ({@code learned_models}). Thread-safe.
 */
@Singleton
public class UserModelStore {
    /** One fitted version: its kind ({@code conversion}, {@code churn}, {@code segments}), the model's JSON and how it did. */
    public record Version(String version, String kind, long createdAt, String model, long trainingN, long holdoutN,
                          Double holdoutAuc, Double baselineAuc, String status, String reason) {}

    /** Receives logged decisions ordered by user, then time. */
    @FunctionalInterface
    public interface DecisionSink {
        void accept(String decisionId, String userKey, long decidedAt, String signals, boolean converted);
    }

    private final DataSource dataSource;

    public UserModelStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Streams the decisions of {@code [from, to)} that have a user and logged signals, ordered by user
     * and time, each with whether a conversion was reported for it; returns how many.
     */
    public long forEachDecision(long from, long to, DecisionSink sink) {
        String sql = "SELECT d.decision_id, d.user_key, d.decided_at, d.signals, "
                + "CASE WHEN EXISTS (SELECT 1 FROM placement_outcomes po WHERE po.decision_id = d.decision_id AND po.converted = TRUE) "
                + "THEN 1 ELSE 0 END FROM decisions d "
                + "WHERE d.decided_at >= ? AND d.decided_at < ? AND d.user_key IS NOT NULL AND d.signals IS NOT NULL "
                + "ORDER BY d.user_key, d.decided_at";
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false); // PostgreSQL streams with a cursor only inside a transaction
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, from);
                ps.setLong(2, to);
                ps.setFetchSize(10_000);
                long n = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getInt(5) == 1);
                        n++;
                    }
                }
                c.commit();
                return n;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new StoreException("reading decisions for the learned models failed: " + e.getMessage(), e);
        }
    }

    public void save(Version v) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO learned_models (version, kind, created_at, model, training_n, holdout_n, "
                     + "holdout_auc, baseline_auc, status, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, v.version());
            ps.setString(2, v.kind());
            ps.setLong(3, v.createdAt());
            ps.setString(4, v.model());
            ps.setLong(5, v.trainingN());
            ps.setLong(6, v.holdoutN());
            setDouble(ps, 7, v.holdoutAuc());
            setDouble(ps, 8, v.baselineAuc());
            ps.setString(9, v.status());
            ps.setString(10, v.reason() == null || v.reason().length() <= 1000 ? v.reason() : v.reason().substring(0, 1000));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("saving a learned model failed: " + e.getMessage(), e);
        }
    }

    /** The latest versions, newest first (at most {@code limit}). */
    public List<Version> versions(int limit) {
        return select("SELECT * FROM learned_models ORDER BY created_at DESC, version DESC", null, limit);
    }

    /** The version of {@code kind} published last. */
    public Optional<Version> published(String kind) {
        return select("SELECT * FROM learned_models WHERE kind = ? AND status = 'published' ORDER BY created_at DESC, version DESC", kind, 1)
                .stream().findFirst();
    }

    /** Whether {@code version} exists. */
    public boolean exists(String version) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM learned_models WHERE version = ?")) {
            ps.setString(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new StoreException("reading learned models failed: " + e.getMessage(), e);
        }
    }

    private List<Version> select(String sql, String param, int limit) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (param != null) ps.setString(1, param);
            ps.setMaxRows(limit);
            List<Version> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Version(rs.getString("version"), rs.getString("kind"), rs.getLong("created_at"), rs.getString("model"),
                            rs.getLong("training_n"), rs.getLong("holdout_n"), getDouble(rs, "holdout_auc"), getDouble(rs, "baseline_auc"),
                            rs.getString("status"), rs.getString("reason")));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("reading learned models failed: " + e.getMessage(), e);
        }
    }
}
