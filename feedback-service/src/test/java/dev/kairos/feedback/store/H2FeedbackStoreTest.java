package dev.kairos.feedback.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.kairos.feedback.config.FeedbackConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The store contract on H2 in file mode, with the URL the service builds by default. */
class H2FeedbackStoreTest extends FeedbackStoreContract {
    @TempDir
    Path dataDir;
    private final List<HikariDataSource> pools = new ArrayList<>();

    @Override
    DataSource newDataSource() {
        Path dir = dataDir.resolve("db" + pools.size());
        String url = new FeedbackConfig(null, null, null, 2, 1, java.time.Duration.ofSeconds(30), "g").effectiveUrl(dir);
        assertThat(url).startsWith("jdbc:h2:file:" + dir.toAbsolutePath());
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setUsername("sa");
        HikariDataSource pool = new HikariDataSource(c);
        pools.add(pool);
        return pool;
    }

    @AfterEach
    void close() {
        pools.forEach(HikariDataSource::close);
    }
}
