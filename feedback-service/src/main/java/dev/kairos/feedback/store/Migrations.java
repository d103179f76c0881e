package dev.kairos.feedback.store;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import javax.sql.DataSource;

/**
 * Brings the schema to the latest version with Flyway (scripts in {@code db/migration}, the same
 * for H2 and PostgreSQL). Safe to run on every start; concurrent starts are serialized by Flyway's
 * schema history lock.
 */
public final class Migrations {
    private Migrations() {}

    /** Migrates {@code dataSource}; returns how many migrations were applied now. */
    public static int migrate(DataSource dataSource) {
        MigrateResult result = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        return result.migrationsExecuted;
    }
}
