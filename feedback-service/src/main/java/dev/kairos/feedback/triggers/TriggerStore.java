package dev.kairos.feedback.triggers;

import dev.kairos.feedback.store.StoreException;
import dev.kairos.feedback.store.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trigger deliveries and opt-outs ({@code trigger_deliveries}, {@code trigger_opt_outs}; H2 and
 * PostgreSQL). {@link #enqueue} decides, once per idempotency key, whether a trigger is to be sent
 * (pending) or skipped (opt-out, cool-down, per-user rate limit) and records why; the dispatcher
 * claims due rows ({@link #claimDue}) so that two instances never send the same one at once, and
 * records each attempt's result. Decisions are keyed by user on the decisions topic, so one
 * consumer at a time enqueues a given user's triggers: the cool-down and rate-limit checks read a
 * settled history.
 */
public final class TriggerStore {
    /** One trigger from a decision record. */
    public record TriggerRow(String idempotencyKey, String decisionId, String userKey, String channel, String name, String rule,
                             String payload, long createdAt, Duration cooldown, String receiver) {
        /** A trigger for its channel's default receiver. */
        public TriggerRow(String idempotencyKey, String decisionId, String userKey, String channel, String name, String rule,
                          String payload, long createdAt, Duration cooldown) {
            this(idempotencyKey, decisionId, userKey, channel, name, rule, payload, createdAt, cooldown, null);
        }
    }

    /** One delivery as stored ({@code receiver}: the pack's named receiver, null for the channel's default). */
    public record Delivery(String idempotencyKey, String decisionId, String userKey, String channel, String receiver, String name, String rule,
                           Instant createdAt, String status, String detail, int attempts, Instant dueAt, Instant deliveredAt,
                           Integer lastStatus) {}

    /** A claimed delivery: what to send. */
    public record Claimed(String idempotencyKey, String userKey, String channel, String payload, int attempts, String receiver) {}

    private final DataSource dataSource;
    private final int rateCount;
    private final Duration rateWindow;
    private final String rateText;

    /** {@code rateCount} deliveries per user per {@code rateWindow} at most (pending and delivered ones count). */
    public TriggerStore(DataSource dataSource, int rateCount, Duration rateWindow) {
        this(dataSource, rateCount, rateWindow, rateCount + "/" + text(rateWindow));
    }

    /** The same, with the limit as configured ({@code 3/24h}) for explanations. */
    public TriggerStore(DataSource dataSource, int rateCount, Duration rateWindow, String rateText) {
        this.dataSource = dataSource;
        this.rateCount = rateCount;
        this.rateWindow = rateWindow;
        this.rateText = rateText;
    }

    /** Records the triggers not seen yet (by idempotency key) as pending or skipped; returns how many are new. */
    public int enqueue(List<TriggerRow> rows, long now) {
        if (rows.isEmpty()) return 0;
        return inTransaction(c -> {
            int added = 0;
            for (TriggerRow r : rows) {
                if (exists(c, r.idempotencyKey())) continue;
                String skipped = skipReason(c, r);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO trigger_deliveries (idempotency_key, decision_id, user_key, channel, "
                        + "name, rule_name, payload, created_at, status, detail, attempts, due_at, receiver) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) "
                        + "ON CONFLICT DO NOTHING")) {
                    ps.setString(1, r.idempotencyKey());
                    ps.setString(2, r.decisionId());
                    ps.setString(3, clip(r.userKey(), 256));
                    ps.setString(4, r.channel());
                    ps.setString(5, r.name());
                    ps.setString(6, clip(r.rule(), 256));
                    ps.setString(7, r.payload());
                    ps.setLong(8, r.createdAt());
                    ps.setString(9, skipped == null ? "pending" : "skipped");
                    ps.setString(10, clip(skipped, 500));
                    ps.setLong(11, now);
                    ps.setString(12, r.receiver());
                    added += ps.executeUpdate();
                }
            }
            return added;
        });
    }

    private static boolean exists(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM trigger_deliveries WHERE idempotency_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Why {@code r} is not to be sent: opted out, cooling down, or over the rate limit; null to send it. */
    private String skipReason(Connection c, TriggerRow r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT source FROM trigger_opt_outs WHERE user_key = ? AND channel IN (?, 'all')")) {
            ps.setString(1, r.userKey());
            ps.setString(2, r.channel());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) return "opted out of " + r.channel() + " (" + rs.getString(1) + ")";
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT MAX(created_at) FROM trigger_deliveries WHERE user_key = ? AND channel = ? "
                + "AND name = ? AND status IN ('pending', 'delivered') AND created_at > ? AND created_at <= ?")) {
            ps.setString(1, r.userKey());
            ps.setString(2, r.channel());
            ps.setString(3, r.name());
            ps.setLong(4, r.createdAt() - r.cooldown().toMillis());
            ps.setLong(5, r.createdAt());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getObject(1) != null) {
                    return "cool-down " + text(r.cooldown()) + " (" + r.channel() + " " + r.name() + " already sent for "
                            + Instant.ofEpochMilli(rs.getLong(1)).truncatedTo(java.time.temporal.ChronoUnit.MINUTES) + ")";
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM trigger_deliveries WHERE user_key = ? "
                + "AND status IN ('pending', 'delivered') AND created_at > ? AND created_at <= ?")) {
            ps.setString(1, r.userKey());
            ps.setLong(2, r.createdAt() - rateWindow.toMillis());
            ps.setLong(3, r.createdAt());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getLong(1) >= rateCount) {
                    return "rate limit " + rateText + " (" + rs.getLong(1) + " triggers for this user)";
                }
            }
        }
        return null;
    }

    /**
     * Claims up to {@code limit} pending deliveries due at {@code now} for {@code claimMillis}
     * (another instance skips them meanwhile; an instance that dies leaves them to be claimed again),
     * among those this instance can send: to a default receiver of one of {@code channels}, or to one
     * of the named {@code receivers}. Others stay pending without holding up the rest.
     */
    public List<Claimed> claimDue(long now, int limit, long claimMillis, java.util.Set<String> channels, java.util.Set<String> receivers) {
        List<Claimed> out = new ArrayList<>();
        if (channels.isEmpty() && receivers.isEmpty()) return out;
        List<String> ch = List.copyOf(channels), rc = List.copyOf(receivers);
        String sendable = "(" + (ch.isEmpty() ? "1 = 0" : "(receiver IS NULL AND channel IN (" + String.join(", ", java.util.Collections.nCopies(ch.size(), "?")) + "))")
                + (rc.isEmpty() ? "" : " OR receiver IN (" + String.join(", ", java.util.Collections.nCopies(rc.size(), "?")) + ")") + ")";
        inTransaction(c -> {
            List<Claimed> due = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT idempotency_key, user_key, channel, payload, attempts, receiver FROM trigger_deliveries "
                    + "WHERE status = 'pending' AND due_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) AND " + sendable + " ORDER BY due_at")) {
                int i = 1;
                ps.setLong(i++, now);
                ps.setLong(i++, now);
                for (String x : ch) ps.setString(i++, x);
                for (String x : rc) ps.setString(i++, x);
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) due.add(new Claimed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getString(6)));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE trigger_deliveries SET claimed_until = ? WHERE idempotency_key = ? "
                    + "AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < ?)")) {
                for (Claimed d : due) {
                    ps.setLong(1, now + claimMillis);
                    ps.setString(2, d.idempotencyKey());
                    ps.setLong(3, now);
                    if (ps.executeUpdate() == 1) out.add(d);
                }
            }
            return null;
        });
        return out;
    }

    /** The receiver took it. */
    public void delivered(String key, int attempts, int status, long now) {
        update("UPDATE trigger_deliveries SET status = 'delivered', attempts = ?, last_status = ?, delivered_at = ?, claimed_until = NULL, detail = NULL "
                + "WHERE idempotency_key = ?", attempts, status, now, key);
    }

    /** An attempt failed; try again at {@code dueAt}. */
    public void retry(String key, int attempts, int status, String detail, long dueAt) {
        update("UPDATE trigger_deliveries SET attempts = ?, last_status = ?, detail = ?, due_at = ?, claimed_until = NULL WHERE idempotency_key = ?",
                attempts, status, clip(detail, 500), dueAt, key);
    }

    /** Given up (the last attempt failed, or the receiver refused it for good). */
    public void dead(String key, int attempts, int status, String detail) {
        update("UPDATE trigger_deliveries SET status = 'dead', attempts = ?, last_status = ?, detail = ?, claimed_until = NULL WHERE idempotency_key = ?",
                attempts, status, clip(detail, 500), key);
    }

    /** Not sent, and not to be: e.g. the receiver answered that the user unsubscribed. */
    public void skipped(String key, int attempts, int status, String detail) {
        update("UPDATE trigger_deliveries SET status = 'skipped', attempts = ?, last_status = ?, detail = ?, claimed_until = NULL WHERE idempotency_key = ?",
                attempts, status, clip(detail, 500), key);
    }

    /** {@code userKey} wants no more of {@code channel} ({@code all} for every channel); their pending deliveries there are skipped. */
    public void optOut(String userKey, String channel, String source, long now) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO trigger_opt_outs (user_key, channel, opted_out_at, source) VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT DO NOTHING")) {
                ps.setString(1, clip(userKey, 256));
                ps.setString(2, channel);
                ps.setLong(3, now);
                ps.setString(4, clip(source, 32));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE trigger_deliveries SET status = 'skipped', detail = ?, claimed_until = NULL "
                    + "WHERE user_key = ? AND status = 'pending'" + (channel.equals("all") ? "" : " AND channel = ?"))) {
                ps.setString(1, "opted out of " + channel + " (" + source + ")");
                ps.setString(2, userKey);
                if (!channel.equals("all")) ps.setString(3, channel);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** {@code userKey} accepts {@code channel} again. */
    public void optIn(String userKey, String channel) {
        update("DELETE FROM trigger_opt_outs WHERE user_key = ? AND channel = ?", userKey, channel);
    }

    /** The channels {@code userKey} opted out of, with when and how. */
    public Map<String, String> optOuts(String userKey) {
        Map<String, String> out = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT channel, opted_out_at, source FROM trigger_opt_outs WHERE user_key = ? ORDER BY channel")) {
            ps.setString(1, userKey);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)) + " (" + rs.getString(3) + ")");
            }
        } catch (SQLException e) {
            throw new StoreException("query failed: " + e.getMessage(), e);
        }
        return out;
    }

    /** The latest deliveries, newest first; of one user and/or status when given. */
    public List<Delivery> deliveries(String userKey, String status, int limit) {
        String sql = "SELECT idempotency_key, decision_id, user_key, channel, name, rule_name, created_at, status, detail, attempts, due_at, "
                + "delivered_at, last_status, receiver FROM trigger_deliveries WHERE 1 = 1" + (userKey == null ? "" : " AND user_key = ?")
                + (status == null ? "" : " AND status = ?") + " ORDER BY created_at DESC, idempotency_key";
        List<Delivery> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (userKey != null) ps.setString(i++, userKey);
            if (status != null) ps.setString(i, status);
            ps.setMaxRows(limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long delivered = rs.getLong(12);
                    boolean noDelivery = rs.wasNull();
                    int last = rs.getInt(13);
                    boolean noStatus = rs.wasNull();
                    out.add(new Delivery(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(14), rs.getString(5), rs.getString(6),
                            Instant.ofEpochMilli(rs.getLong(7)), rs.getString(8), rs.getString(9), rs.getInt(10), Instant.ofEpochMilli(rs.getLong(11)),
                            noDelivery ? null : Instant.ofEpochMilli(delivered), noStatus ? null : last));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("query failed: " + e.getMessage(), e);
        }
        return out;
    }

    /** How many deliveries are in each status. */
    public Map<String, Long> counts() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String s : List.of("pending", "delivered", "skipped", "dead")) out.put(s, 0L);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT status, COUNT(*) FROM trigger_deliveries GROUP BY status");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
        } catch (SQLException e) {
            throw new StoreException("query failed: " + e.getMessage(), e);
        }
        return out;
    }

    private void update(String sql, Object... args) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
                return ps.executeUpdate();
            }
        });
    }

    private <T> T inTransaction(Transactions.Work<T> work) {
        return Transactions.inTransaction(dataSource, "write", work);
    }

    static String text(Duration d) {
        if (d.toDays() > 0 && d.toHours() % 24 == 0) return d.toDays() + "d";
        if (d.toHours() > 0 && d.toMinutes() % 60 == 0) return d.toHours() + "h";
        return d.toMinutes() + "m";
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
