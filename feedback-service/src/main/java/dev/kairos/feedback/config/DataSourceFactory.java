package dev.kairos.feedback.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Primary;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * The store's two connection pools (HikariCP) on {@link FeedbackConfig#effectiveUrl}: an H2 file
 * under the data directory by default, PostgreSQL when {@code KAIROS_FEEDBACK_DB_URL} says so.
 *
 * <ul>
 *   <li>the primary pool ({@code kairos-feedback}, {@link FeedbackConfig#dbPoolSize()}
 *       connections): ingestion, migrations, weights, sign-in;</li>
 *   <li>the {@value #READS} pool ({@code kairos-feedback-reads}, {@link FeedbackConfig#dbReadPoolSize()}
 *       connections, read-only): the dashboard's and the KPI API's queries, so that however many
 *       of them run (or hang) at once, ingestion keeps its connections. A request that waits
 *       longer than the query timeout for a read connection gives up (503).</li>
 * </ul>
 * Logs the URL without credentials; both are closed with the application.
 */
@Factory
public class DataSourceFactory {
    /** The name of the read pool's bean. */
    public static final String READS = "reads";
    private static final Logger LOG = LoggerFactory.getLogger(DataSourceFactory.class);

    @Singleton
    @Primary
    @Bean(preDestroy = "close")
    HikariDataSource dataSource(FeedbackConfig config, @Value("${kairos.data-dir:data}") String dataDir) {
        HikariConfig h = base(config, dataDir);
        h.setMaximumPoolSize(Math.max(1, config.dbPoolSize()));
        h.setPoolName("kairos-feedback");
        LOG.info("feedback store at {}", h.getJdbcUrl().replaceAll("(?i)(password|user)=[^;&]*", "$1=***"));
        return new HikariDataSource(h);
    }

    @Singleton
    @Named(READS)
    @Bean(preDestroy = "close")
    HikariDataSource readDataSource(FeedbackConfig config, @Value("${kairos.data-dir:data}") String dataDir) {
        HikariConfig h = base(config, dataDir);
        h.setMaximumPoolSize(Math.max(1, config.dbReadPoolSize()));
        h.setMinimumIdle(1);
        h.setReadOnly(true);
        h.setConnectionTimeout(Math.max(250L, config.queryTimeoutSeconds() * 1000L));
        h.setPoolName("kairos-feedback-reads");
        return new HikariDataSource(h);
    }

    private static HikariConfig base(FeedbackConfig config, String dataDir) {
        String url = config.effectiveUrl(Path.of(dataDir));
        HikariConfig h = new HikariConfig();
        h.setJdbcUrl(url);
        boolean h2 = url.startsWith("jdbc:h2:");
        String user = config.dbUser() != null && !config.dbUser().isBlank() ? config.dbUser() : (h2 ? "sa" : null);
        if (user != null) h.setUsername(user);
        if (config.dbPassword() != null) h.setPassword(config.dbPassword());
        return h;
    }
}
