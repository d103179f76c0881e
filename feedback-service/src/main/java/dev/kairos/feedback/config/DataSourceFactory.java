package dev.kairos.feedback.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.file.Path;

/**
 * The store's connection pool (HikariCP) on {@link FeedbackConfig#effectiveUrl}: an H2 file under
 * the data directory by default, PostgreSQL when {@code KAIROS_FEEDBACK_DB_URL} says so. Logs the
 * URL without credentials; closed with the application.
 */
@Factory
public class DataSourceFactory {
    private static final Logger LOG = LoggerFactory.getLogger(DataSourceFactory.class);

    @Singleton
    @Bean(preDestroy = "close")
    HikariDataSource dataSource(FeedbackConfig config, @Value("${kairos.data-dir:data}") String dataDir) {
        String url = config.effectiveUrl(Path.of(dataDir));
        HikariConfig h = new HikariConfig();
        h.setJdbcUrl(url);
        boolean h2 = url.startsWith("jdbc:h2:");
        String user = config.dbUser() != null && !config.dbUser().isBlank() ? config.dbUser() : (h2 ? "sa" : null);
        if (user != null) h.setUsername(user);
        if (config.dbPassword() != null) h.setPassword(config.dbPassword());
        h.setMaximumPoolSize(Math.max(1, config.dbPoolSize()));
        h.setPoolName("kairos-feedback");
        LOG.info("feedback store at {}", url.replaceAll("(?i)(password|user)=[^;&]*", "$1=***"));
        return new HikariDataSource(h);
    }
}
