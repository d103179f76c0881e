package dev.kairos.feedback.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.nio.file.Path;

/**
 * Settings under {@code kairos.feedback.*} (see docs/operations.md).
 *
 * @param dbUrl      JDBC URL of the store ({@code KAIROS_FEEDBACK_DB_URL}); empty: an H2 file under
 *                   {@code <data-dir>/feedback/}, nothing to install. PostgreSQL in production:
 *                   {@code jdbc:postgresql://host:5432/kairos}
 * @param dbUser     database user ({@code KAIROS_FEEDBACK_DB_USER}); default {@code sa} for H2
 * @param dbPassword database password ({@code KAIROS_FEEDBACK_DB_PASSWORD}); never logged
 * @param dbPoolSize most connections in the pool; default 8
 * @param groupId    Kafka consumer group of the topic consumers; default {@code kairos-feedback}
 */
@ConfigurationProperties("kairos.feedback")
public record FeedbackConfig(@Nullable String dbUrl,
                             @Nullable String dbUser,
                             @Nullable String dbPassword,
                             @Bindable(defaultValue = "8") int dbPoolSize,
                             @Bindable(defaultValue = "kairos-feedback") String groupId) {

    /** The JDBC URL to use: {@link #dbUrl()} when set, else the embedded H2 file under {@code dataDir}. */
    public String effectiveUrl(Path dataDir) {
        if (dbUrl != null && !dbUrl.isBlank()) return dbUrl.strip();
        Path file = dataDir.toAbsolutePath().resolve("feedback").resolve("kairos");
        // PostgreSQL mode: the store's statements (ON CONFLICT DO NOTHING) are the same on both.
        return "jdbc:h2:file:" + file + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;CACHE_SIZE=131072";
    }
}
