package dev.kairos.feedback.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/** JDBC transactions for the feedback service's stores: all of a unit of work or none of it. */
public final class Transactions {
    /** Work done on one connection inside a transaction. */
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private static final int ATTEMPTS = 3;

    private Transactions() {}

    /**
     * Runs {@code work} in one transaction, again (up to 3 times in all) when the database aborted it
     * as a deadlock or serialization victim (the decision and outcome consumers update the same
     * {@code placement_outcomes} rows concurrently); any other failure rolls back and is a
     * {@link StoreException} "{@code what} failed: …".
     */
    public static <T> T inTransaction(DataSource dataSource, String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                boolean auto = c.getAutoCommit();
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(auto);
                }
            } catch (SQLException e) {
                if (attempt < ATTEMPTS && isTransient(e)) continue;
                throw new StoreException(what + " failed: " + e.getMessage(), e);
            }
        }
    }

    /** Deadlock (40P01 on PostgreSQL) or serialization failure (40001; H2 reports deadlocks so too). */
    static boolean isTransient(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if ("40001".equals(x.getSQLState()) || "40P01".equals(x.getSQLState())) return true;
        }
        return e.getCause() instanceof SQLException cause && cause != e && isTransient(cause);
    }
}
