package dev.kairos.feedback.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings under {@code kairos.feedback.*} (see docs/operations.md).
 *
 * @param dbUrl      JDBC URL of the store ({@code KAIROS_FEEDBACK_DB_URL}); empty: an H2 file under
 *                   {@code <data-dir>/feedback/}, nothing to install. PostgreSQL in production:
 *                   {@code jdbc:postgresql://host:5432/kairos}
 * @param dbUser     database user ({@code KAIROS_FEEDBACK_DB_USER}); default {@code sa} for H2
 * @param dbPassword database password ({@code KAIROS_FEEDBACK_DB_PASSWORD}); never logged
 * @param dbPoolSize most connections in the pool; default 8
 * @param dbReadPoolSize most connections in the separate pool of the dashboard's and KPI API's
 *                   queries, so a burst of slow reads cannot take the connections ingestion needs;
 *                   default 2
 * @param queryTimeout longest a dashboard or KPI query may run before the database cancels it and
 *                   the API answers 503 {@code query_timeout}; whole seconds, at least 1; default 30s
 * @param groupId    Kafka consumer group of the topic consumers; default {@code kairos-feedback}
 */
@ConfigurationProperties("kairos.feedback")
public record FeedbackConfig(@Nullable String dbUrl,
                             @Nullable String dbUser,
                             @Nullable String dbPassword,
                             @Bindable(defaultValue = "8") int dbPoolSize,
                             @Bindable(defaultValue = "2") int dbReadPoolSize,
                             @Bindable(defaultValue = "30s") Duration queryTimeout,
                             @Bindable(defaultValue = "kairos-feedback") String groupId) {

    /** {@link #queryTimeout()} in whole seconds for {@code Statement.setQueryTimeout}: rounded up, at least 1. */
    public int queryTimeoutSeconds() {
        if (queryTimeout == null) return 30;
        long ms = queryTimeout.toMillis();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (ms + 999) / 1000));
    }

    /** The JDBC URL to use: {@link #dbUrl()} when set, else the embedded H2 file under {@code dataDir}. */
    public String effectiveUrl(Path dataDir) {
        if (dbUrl != null && !dbUrl.isBlank()) return dbUrl.strip();
        Path file = dataDir.toAbsolutePath().resolve("feedback").resolve("kairos");
        // PostgreSQL mode: the store's statements (ON CONFLICT DO NOTHING) are the same on both.
        // WRITE_DELAY=0: a commit is written to the file before it returns (H2 delays it 500 ms by
        // default), so the consumer commits Kafka offsets only for rows a kill -9 cannot take away.
        // DB_CLOSE_ON_EXIT=FALSE: H2's own shutdown hook would close the database under requests that a
        // graceful shutdown is still finishing; it closes with the connection pool instead.
        return "jdbc:h2:file:" + file + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;CACHE_SIZE=131072;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    }
}
