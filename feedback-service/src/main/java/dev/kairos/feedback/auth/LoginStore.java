package dev.kairos.feedback.auth;

import dev.kairos.feedback.store.FeedbackStore;
import dev.kairos.feedback.store.StoreException;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Marketer sessions and failed sign-in counters in SQL (tables {@code marketer_sessions} and
 * {@code login_failures}, migration V4), so that every instance of the service sees the same
 * sessions and lock-outs and a restart signs nobody out. Sessions are looked up by the SHA-256 of
 * their token: the token itself is never stored. Times are epoch milliseconds from the caller's
 * clock. An attempt is counted before its password is checked, in a transaction that locks the
 * subject's row ({@link #reserveAttempt}), so concurrent requests and instances need no other
 * locking. Thread-safe.
 */
@Singleton
public class LoginStore {
    private final DataSource dataSource;

    /** {@code migrated} is only there so that the schema is migrated first. */
    public LoginStore(DataSource dataSource, FeedbackStore migrated) {
        this.dataSource = dataSource;
    }

    LoginStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * One counted sign-in attempt: {@code refusedUntil} is 0 when it may go on to the password check,
     * else until when (epoch ms) the subject is locked; {@code locks}: this attempt reached the limit
     * and locked the subject (unless its password turns out right).
     */
    record Attempt(long refusedUntil, boolean locks) {}

    /** An open session: who, and until when (epoch ms). */
    record StoredSession(String username, long expiresAt) {}

    void createSession(String tokenHash, String username, long now, long expiresAt) {
        update("INSERT INTO marketer_sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)",
                tokenHash, username, now, expiresAt);
    }

    Optional<StoredSession> session(String tokenHash, long now) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT username, expires_at FROM marketer_sessions WHERE token_hash = ? AND expires_at > ?")) {
            ps.setString(1, tokenHash);
            ps.setLong(2, now);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new StoredSession(rs.getString(1), rs.getLong(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("reading a session failed: " + e.getMessage(), e);
        }
    }

    void deleteSession(String tokenHash) {
        update("DELETE FROM marketer_sessions WHERE token_hash = ?", tokenHash);
    }

    /** Latest {@code locked_until} (epoch ms) of the subjects, or 0. */
    long lockedUntil(String... subjects) {
        long latest = 0;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT locked_until FROM login_failures WHERE subject = ?")) {
            for (String subject : subjects) {
                ps.setString(1, subject);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) latest = Math.max(latest, rs.getLong(1));
                }
            }
            return latest;
        } catch (SQLException e) {
            throw new StoreException("reading sign-in failures failed: " + e.getMessage(), e);
        }
    }

    /**
     * Counts one sign-in attempt of {@code subject} at {@code now}, before its password is checked,
     * atomically (the row is locked for the read and the write), so parallel attempts cannot all
     * pass a check that none has counted yet. A new window starts when the last one started at or
     * before {@code now - windowMillis}. The attempt that brings the window to {@code max} locks the
     * subject until {@code lockUntil} (a right password then clears it, see {@link #clearFailures});
     * an attempt while locked, or beyond {@code max}, is refused.
     *
     * @return whether the attempt may go on to the password check, and whether it locked the subject
     */
    Attempt reserveAttempt(String subject, long now, long windowMillis, int max, long lockUntil) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO login_failures (subject, failures, window_start, locked_until) VALUES (?, 0, ?, 0) ON CONFLICT DO NOTHING")) {
                    insert.setString(1, subject);
                    insert.setLong(2, now);
                    insert.executeUpdate();
                }
                int failures;
                long windowStart;
                long lockedUntil;
                try (PreparedStatement select = c.prepareStatement(
                        "SELECT failures, window_start, locked_until FROM login_failures WHERE subject = ? FOR UPDATE")) {
                    select.setString(1, subject);
                    try (ResultSet rs = select.executeQuery()) {
                        rs.next();
                        failures = rs.getInt(1);
                        windowStart = rs.getLong(2);
                        lockedUntil = rs.getLong(3);
                    }
                }
                long refusedUntil = 0;
                boolean locks = false;
                if (lockedUntil > now) {
                    refusedUntil = lockedUntil;
                } else {
                    if (windowStart <= now - windowMillis || lockedUntil > 0) {
                        failures = 0;
                        windowStart = now;
                        lockedUntil = 0;
                    }
                    failures++;
                    if (failures > max) refusedUntil = lockUntil;
                    if (failures >= max) lockedUntil = lockUntil;
                    locks = failures == max;
                    try (PreparedStatement update = c.prepareStatement(
                            "UPDATE login_failures SET failures = ?, window_start = ?, locked_until = ? WHERE subject = ?")) {
                        update.setInt(1, failures);
                        update.setLong(2, windowStart);
                        update.setLong(3, lockedUntil);
                        update.setString(4, subject);
                        update.executeUpdate();
                    }
                }
                c.commit();
                return new Attempt(refusedUntil, locks);
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new StoreException("sign-in state update failed: " + e.getMessage(), e);
        }
    }

    /** Takes back an attempt {@link #reserveAttempt} counted but that was refused for another reason. */
    void releaseAttempt(String subject, Attempt attempt) {
        update("UPDATE login_failures SET failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END, "
                + "locked_until = CASE WHEN ? = 1 THEN 0 ELSE locked_until END WHERE subject = ?", attempt.locks() ? 1 : 0, subject);
    }

    /** Forgets the failures of {@code subject}. */
    void clearFailures(String subject) {
        update("DELETE FROM login_failures WHERE subject = ?", subject);
    }

    /** Deletes expired sessions and failure counters that neither lock nor count any more; returns how many rows went. */
    int purge(long now, long windowMillis) {
        return update("DELETE FROM marketer_sessions WHERE expires_at <= ?", now)
                + update("DELETE FROM login_failures WHERE locked_until <= ? AND window_start <= ?", now, now - windowMillis);
    }

    private int update(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                if (params[i] instanceof Long l) ps.setLong(i + 1, l);
                else if (params[i] instanceof Integer n) ps.setInt(i + 1, n);
                else ps.setString(i + 1, (String) params[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("sign-in state update failed: " + e.getMessage(), e);
        }
    }
}
