package dev.kairos.server.kafka;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Topic names and sizing under {@code kairos.topics.*}. Events and outcomes are keyed by user
 * ({@code userId}, else {@code anonymousId}); signals are compacted (one latest record per user).
 * Defaults: {@code kairos.events}, {@code kairos.outcomes}, {@code kairos.signals}, 6 partitions,
 * replication 1 ({@code KAIROS_TOPIC_PARTITIONS}, {@code KAIROS_TOPIC_REPLICATION}).
 */
@ConfigurationProperties("kairos.topics")
public record TopicsConfig(
        @Bindable(defaultValue = "kairos.events") String events,
        @Bindable(defaultValue = "kairos.outcomes") String outcomes,
        @Bindable(defaultValue = "kairos.signals") String signals,
        @Bindable(defaultValue = "6") int partitions,
        @Bindable(defaultValue = "1") short replicationFactor) {
}
