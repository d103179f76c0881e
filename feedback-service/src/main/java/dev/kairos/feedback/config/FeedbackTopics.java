package dev.kairos.feedback.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * The topics the feedback service reads and writes, under {@code kairos.topics.*} (the same names as
 * rules-server's): decisions and outcomes (read), weights (written by recalibration), erasures (read: users whose rows
 * are to be deleted), and the dead-letter topic of cross-channel triggers given up (written).
 */
@ConfigurationProperties("kairos.topics")
public record FeedbackTopics(@Bindable(defaultValue = "kairos.decisions") String decisions,
                             @Bindable(defaultValue = "kairos.outcomes") String outcomes,
                             @Bindable(defaultValue = "kairos.weights") String weights,
                             @Bindable(defaultValue = "kairos.erasures") String erasures,
                             @Bindable(defaultValue = "kairos.triggers.dead") String triggersDead,
                             @Bindable(defaultValue = "kairos.bandit") String bandit,
                             @Bindable(defaultValue = "6") int partitions,
                             @Bindable(defaultValue = "1") short replicationFactor) {}
