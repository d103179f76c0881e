package dev.kairos.feedback.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.kairos.feedback.config.FeedbackConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The store contract on H2 in file mode, with the URL the service builds by default. */
class H2FeedbackStoreTest extends FeedbackStoreContract {
    @TempDir
    Path dataDir;
    private HikariDataSource pool;

    @Override
    DataSource newDataSource() {
        String url = new FeedbackConfig(null, null, null, 2, 1, java.time.Duration.ofSeconds(30), "g").effectiveUrl(dataDir);
        assertThat(url).startsWith("jdbc:h2:file:" + dataDir.toAbsolutePath());
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setUsername("sa");
        pool = new HikariDataSource(c);
        return pool;
    }

    @AfterEach
    void close() {
        pool.close();
    }
}
