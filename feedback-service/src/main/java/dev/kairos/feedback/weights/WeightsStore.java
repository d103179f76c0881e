package dev.kairos.feedback.weights;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.feedback.store.StoreException;
import dev.kairos.feedback.store.Transactions;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.kairos.feedback.store.Columns.getDouble;
import static dev.kairos.feedback.store.Columns.getLong;
import static dev.kairos.feedback.store.Columns.setDouble;
import static dev.kairos.feedback.store.Columns.setLong;

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

    /** Receives training samples one by one, as they are read. */
    @FunctionalInterface
    public interface SampleSink {
        /**
         * One shown decision placement: its decision's signal components, whether it was engaged
         * with (click or conversion), whether it converted, and the probability the shown content
         * was chosen with (the product of its {@code choose(...)} propensities; 1 when rules chose it
         * deterministically).
         */
        void accept(String decisionId, double recency, double depth, double conversion, boolean engaged, boolean converted, double propensity);
    }

    /**
     * Streams every shown decision placement whose decision is stored and whose latest outcome
     * occurred in {@code [from, to)} into {@code sink}, in no particular order; returns how many.
     * One scan of {@code placement_outcomes}, read with a cursor (nothing is held here), so memory
     * does not grow with the table.
     */
    public long forEachSample(long from, long to, SampleSink sink) {
        // the probability the shown content was chosen with: the product of its choose(...) propensities (none: 1)
        String sql = "SELECT po.decision_id, po.recency, po.depth, po.conversion, po.engaged, po.converted, "
                + "(SELECT EXP(SUM(LN(dc.propensity))) FROM decision_choices dc WHERE dc.decision_id = po.decision_id AND dc.placement = po.placement) "
                + "FROM placement_outcomes po WHERE po.shown = TRUE AND po.recency IS NOT NULL AND po.last_outcome_at >= ? AND po.last_outcome_at < ?";
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            // PostgreSQL streams with a cursor only inside a transaction; otherwise it reads everything first.
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, from);
                ps.setLong(2, to);
                ps.setFetchSize(20_000);
                long n = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        double propensity = rs.getDouble(7);
                        if (rs.wasNull() || !(propensity > 0 && propensity <= 1)) propensity = 1;
                        sink.accept(rs.getString(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4), rs.getBoolean(5), rs.getBoolean(6), propensity);
                        n++;
                    }
                }
                c.commit();
                return n;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new StoreException("reading training samples failed: " + e.getMessage(), e);
        }
    }

    /** Stores a new version. */
    public void save(WeightsVersion v) {
        try (Connection c = dataSource.getConnection()) {
            insert(c, v);
        } catch (SQLException e) {
            throw new StoreException("saving weights version failed: " + e.getMessage(), e);
        }
    }

    /**
     * Stores a new version and records it as published at {@code at}, in one transaction (both or
     * neither); returns the publication's sequence number, for {@link #retract} should sending it fail.
     */
    public long saveAsPublished(WeightsVersion v, Instant at, String action) {
        return inTransaction("saving weights version", c -> {
            insert(c, v);
            return insertPublication(c, v.version(), at, action);
        });
    }

    /**
     * Undoes publication {@code seq} of {@code version} after sending it failed: the publication row
     * goes, and so does the version if {@code newVersion} (it was never in use anywhere).
     */
    public void retract(String version, long seq, boolean newVersion) {
        inTransaction("retracting publication", c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM weights_publications WHERE seq = ?");
                 PreparedStatement v = c.prepareStatement("DELETE FROM weights_versions WHERE version = ?")) {
                p.setLong(1, seq);
                p.executeUpdate();
                if (newVersion) {
                    v.setString(1, version);
                    v.executeUpdate();
                }
                return null;
            }
        });
    }

    private <T> T inTransaction(String what, Transactions.Work<T> work) {
        return Transactions.inTransaction(dataSource, what, work);
    }

    /**
     * Takes the lease on {@code job} for {@code holder} until {@code until} (epoch ms), if nobody
     * holds it at {@code now} and it was last started at or before {@code startedNoLaterThan};
     * returns whether it was taken. With {@code start}, this counts as a start of the job at
     * {@code now}. One conditional update: of several instances, one wins.
     */
    public boolean tryLease(String job, String holder, long now, long until, long startedNoLaterThan, boolean start) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE job_leases SET holder = ?, held_until = ?, last_started = ? "
                     + "WHERE job = ? AND held_until < ? AND last_started <= ?")) {
            ps.setString(1, holder);
            ps.setLong(2, until);
            ps.setString(4, job);
            ps.setLong(5, now);
            ps.setLong(6, startedNoLaterThan);
            if (start) {
                ps.setLong(3, now);
                return ps.executeUpdate() == 1;
            }
            // Keep last_started: read it under the same condition (a lost race just fails the update).
            try (PreparedStatement q = c.prepareStatement("SELECT last_started FROM job_leases WHERE job = ?")) {
                q.setString(1, job);
                try (ResultSet rs = q.executeQuery()) {
                    if (!rs.next()) return false;
                    ps.setLong(3, rs.getLong(1));
                }
            }
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("taking the " + job + " lease failed: " + e.getMessage(), e);
        }
    }

    /** Gives the lease on {@code job} back, if {@code holder} still holds it. */
    public void releaseLease(String job, String holder) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE job_leases SET holder = NULL, held_until = 0 WHERE job = ? AND holder = ?")) {
            ps.setString(1, job);
            ps.setString(2, holder);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("releasing the " + job + " lease failed: " + e.getMessage(), e);
        }
    }

    private void insert(Connection c, WeightsVersion v) throws SQLException {
        String sql = "INSERT INTO weights_versions (version, created_at, recency, depth, conversion, named, training_n, holdout_n, "
                + "holdout_auc, baseline_auc, baseline, status, reason, off_policy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
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
            String offPolicy = v.offPolicy() == null ? null : json.writeValueAsString(v.offPolicy());
            ps.setString(14, offPolicy == null || offPolicy.length() <= 2000 ? offPolicy : null);
            ps.executeUpdate();
        } catch (IOException e) {
            throw new StoreException("saving weights version failed: " + e.getMessage(), e);
        }
    }

    /** Records that {@code version} was published at {@code at}; returns the publication's sequence number. */
    public long published(String version, Instant at, String action) {
        try (Connection c = dataSource.getConnection()) {
            return insertPublication(c, version, at, action);
        } catch (SQLException e) {
            throw new StoreException("recording publication failed: " + e.getMessage(), e);
        }
    }

    private static long insertPublication(Connection c, String version, Instant at, String action) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO weights_publications (version, published_at, action) VALUES (?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, version);
            ps.setLong(2, at.toEpochMilli());
            ps.setString(3, action);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                if (!keys.next()) throw new SQLException("no publication sequence number returned");
                return keys.getLong(1);
            }
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
                    String offPolicy = rs.getString("off_policy");
                    out.add(new WeightsVersion(rs.getString("version"), Instant.ofEpochMilli(rs.getLong("created_at")),
                            rs.getDouble("recency"), rs.getDouble("depth"), rs.getDouble("conversion"),
                            named == null ? new HashMap<>() : json.readValue(named, NAMED),
                            getLong(rs, "training_n"), getLong(rs, "holdout_n"), getDouble(rs, "holdout_auc"),
                            getDouble(rs, "baseline_auc"), rs.getString("baseline"), rs.getString("status"), rs.getString("reason"),
                            offPolicy == null ? null : json.readValue(offPolicy, WeightsVersion.OffPolicy.class)));
                }
            }
            return out;
        } catch (SQLException | IOException e) {
            throw new StoreException("reading weights versions failed: " + e.getMessage(), e);
        }
    }
}
