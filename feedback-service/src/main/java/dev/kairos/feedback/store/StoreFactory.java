package dev.kairos.feedback.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.feedback.config.DataSourceFactory;
import dev.kairos.feedback.config.FeedbackConfig;
import dev.kairos.feedback.weights.WeightsStore;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;

/**
 * Migrates the primary data source and builds the {@link FeedbackStore} (writes on the primary pool,
 * queries on the read pool with the query timeout, see {@link DataSourceFactory}) and the
 * {@link WeightsStore} (primary pool).
 */
@Factory
public class StoreFactory {
    private static final Logger LOG = LoggerFactory.getLogger(StoreFactory.class);

    @Singleton
    FeedbackStore feedbackStore(DataSource dataSource, @Named(DataSourceFactory.READS) DataSource reads, FeedbackConfig config) {
        int applied = Migrations.migrate(dataSource);
        if (applied > 0) LOG.info("applied {} schema migration(s)", applied);
        return new FeedbackStore(dataSource, reads, config.queryTimeoutSeconds());
    }

    /** The cross-channel trigger deliveries; depends on the {@link FeedbackStore} so that the schema is migrated first. */
    @Singleton
    dev.kairos.feedback.triggers.TriggerStore triggerStore(DataSource dataSource, FeedbackStore migrated,
                                                          @io.micronaut.context.annotation.Value("${kairos.feedback.triggers.rate-limit:3/24h}") String rateLimit) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,5})\\s*/\\s*(\\d{1,5})\\s*([mhd])").matcher(rateLimit.strip());
        if (!m.matches()) throw new IllegalArgumentException("kairos.feedback.triggers.rate-limit must look like 3/24h, was " + rateLimit);
        long n = Long.parseLong(m.group(2));
        java.time.Duration window = switch (m.group(3)) {
            case "m" -> java.time.Duration.ofMinutes(n);
            case "h" -> java.time.Duration.ofHours(n);
            default -> java.time.Duration.ofDays(n);
        };
        return new dev.kairos.feedback.triggers.TriggerStore(dataSource, Integer.parseInt(m.group(1)), window, rateLimit.strip().replace(" ", ""));
    }

    /** The bandit's training data; depends on the {@link FeedbackStore} so that the schema is migrated first. */
    @Singleton
    dev.kairos.feedback.learn.BanditStore banditStore(DataSource dataSource, FeedbackStore migrated) {
        return new dev.kairos.feedback.learn.BanditStore(dataSource);
    }

    /** Depends on the {@link FeedbackStore} so that the schema is migrated first. */
    @Singleton
    WeightsStore weightsStore(DataSource dataSource, ObjectMapper json, FeedbackStore migrated) {
        return new WeightsStore(dataSource, json);
    }
}
