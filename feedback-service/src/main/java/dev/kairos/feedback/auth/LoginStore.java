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
 * clock. Every statement is atomic on its own, so concurrent instances need no other locking.
 * Thread-safe.
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
     * Counts a failure of {@code subject} at {@code now} (a new window when the last one started at
     * or before {@code now - windowMillis}); once {@code max} failures are in the window, locks the
     * subject until {@code lockedUntil} and starts counting afresh; answers whether it locked it now.
     */
    boolean recordFailure(String subject, long now, long windowMillis, int max, long lockedUntil) {
        long stale = now - windowMillis;
        String bump = "UPDATE login_failures SET "
                + "failures = CASE WHEN window_start <= ? THEN 1 ELSE failures + 1 END, "
                + "window_start = CASE WHEN window_start <= ? THEN ? ELSE window_start END WHERE subject = ?";
        if (update(bump, stale, stale, now, subject) == 0
                && update("INSERT INTO login_failures (subject, failures, window_start, locked_until) VALUES (?, 1, ?, 0) "
                + "ON CONFLICT DO NOTHING", subject, now) == 0) {
            // Another instance inserted the row between the two statements.
            update(bump, stale, stale, now, subject);
        }
        return update("UPDATE login_failures SET locked_until = ?, failures = 0, window_start = ? WHERE subject = ? AND failures >= ?",
                lockedUntil, now, subject, max) > 0;
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
