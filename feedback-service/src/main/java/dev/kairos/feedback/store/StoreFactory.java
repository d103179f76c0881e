package dev.kairos.feedback.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.feedback.weights.WeightsStore;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;

/** Migrates the configured data source ({@code datasources.default}) and builds the {@link FeedbackStore} and {@link WeightsStore} on it. */
@Factory
public class StoreFactory {
    private static final Logger LOG = LoggerFactory.getLogger(StoreFactory.class);

    @Singleton
    FeedbackStore feedbackStore(DataSource dataSource) {
        int applied = Migrations.migrate(dataSource);
        if (applied > 0) LOG.info("applied {} schema migration(s)", applied);
        return new FeedbackStore(dataSource);
    }

    /** Depends on the {@link FeedbackStore} so that the schema is migrated first. */
    @Singleton
    WeightsStore weightsStore(DataSource dataSource, ObjectMapper json, FeedbackStore migrated) {
        return new WeightsStore(dataSource, json);
    }
}
