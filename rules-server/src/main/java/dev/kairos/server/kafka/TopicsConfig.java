package dev.kairos.server.kafka;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Topic names and sizing under {@code kairos.topics.*}. Events, outcomes and decisions are keyed by
 * user ({@code userId}, else {@code anonymousId}); signals are compacted (one latest record per
 * user); weights are compacted and keyed by {@code current} (the feedback service publishes each new
 * version there); experiments are compacted and keyed by experiment name (every instance applies
 * every definition, a deletion is a tombstone); rules is the log of rule versions and routing
 * changes (one partition, compacted, a unique key per entry, see {@code RuleRegistry}); erasures
 * carries completed user erasures from the signal engine to the feedback service (keyed by request
 * id, kept 7 days); bandit holds the learned model of each choice point (compacted, keyed by point,
 * published by the feedback service). Defaults:
 * {@code kairos.events}, {@code kairos.outcomes}, {@code kairos.signals}, {@code kairos.decisions},
 * {@code kairos.weights}, {@code kairos.experiments}, {@code kairos.rules}, {@code kairos.erasures}, 6 partitions, replication 1 ({@code KAIROS_TOPIC_PARTITIONS},
 * {@code KAIROS_TOPIC_REPLICATION}).
 */
@ConfigurationProperties("kairos.topics")
public record TopicsConfig(
        @Bindable(defaultValue = "kairos.events") String events,
        @Bindable(defaultValue = "kairos.outcomes") String outcomes,
        @Bindable(defaultValue = "kairos.signals") String signals,
        @Bindable(defaultValue = "kairos.decisions") String decisions,
        @Bindable(defaultValue = "kairos.weights") String weights,
        @Bindable(defaultValue = "kairos.experiments") String experiments,
        @Bindable(defaultValue = "kairos.rules") String rules,
        @Bindable(defaultValue = "kairos.erasures") String erasures,
        @Bindable(defaultValue = "kairos.bandit") String bandit,
        @Bindable(defaultValue = "6") int partitions,
        @Bindable(defaultValue = "1") short replicationFactor) {
}
