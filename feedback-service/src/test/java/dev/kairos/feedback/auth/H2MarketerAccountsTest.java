package dev.kairos.feedback.auth;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.kairos.feedback.config.FeedbackConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Duration;

/** Marketer sessions and lock-outs on H2 in file mode, with the URL the service builds by default. */
class H2MarketerAccountsTest extends MarketerAccountsContract {
    @TempDir
    Path dataDir;
    private HikariDataSource pool;

    @Override
    DataSource newDataSource() {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(new FeedbackConfig(null, null, null, 2, 1, Duration.ofSeconds(30), "g").effectiveUrl(dataDir));
        c.setUsername("sa");
        pool = new HikariDataSource(c);
        return pool;
    }

    @AfterEach
    void close() {
        pool.close();
    }
}
