package dev.kairos.feedback.store;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;

/** Migrates the configured data source ({@code datasources.default}) and builds the {@link FeedbackStore} on it. */
@Factory
public class StoreFactory {
    private static final Logger LOG = LoggerFactory.getLogger(StoreFactory.class);

    @Singleton
    FeedbackStore feedbackStore(DataSource dataSource) {
        int applied = Migrations.migrate(dataSource);
        if (applied > 0) LOG.info("applied {} schema migration(s)", applied);
        return new FeedbackStore(dataSource);
    }
}
