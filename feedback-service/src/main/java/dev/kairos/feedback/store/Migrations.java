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
        return migrate(dataSource, "latest");
    }

    /**
     * Migrates {@code dataSource} up to schema version {@code target} ({@code "latest"} for all);
     * for tests and benchmarks that need data in an older schema before a migration runs.
     */
    public static int migrate(DataSource dataSource, String target) {
        MigrateResult result = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .target(target)
                .load()
                .migrate();
        return result.migrationsExecuted;
    }
}
