package dev.kairos.server.kafka;

import dev.kairos.service.kafka.KafkaClients;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Creates the topics Kairos needs when they do not exist yet, at start-up and before the signal
 * engine starts (it depends on this bean). Waits up to a minute for the broker, then fails the
 * start with a clear message.
 */
@Context
public class Topics {
    private static final Logger LOG = LoggerFactory.getLogger(Topics.class);

    /** Largest entry of the rules topic: a pack's DRL (1 MiB at most) written as JSON, escapes included. */
    public static final int RULES_MAX_MESSAGE_BYTES = 8 << 20;

    private final TopicsConfig config;
    private final Map<String, Object> clientConfig;

    public Topics(TopicsConfig config, @Value("${kafka.bootstrap.servers}") String bootstrap,
                io.micronaut.context.env.Environment environment) {
        this.config = config;
        Map<String, Object> kafka = environment.getProperties("kafka", io.micronaut.core.naming.conventions.StringConvention.RAW);
        this.clientConfig = Map.copyOf(KafkaClients.clientConfig(bootstrap, kafka));
        List<NewTopic> wanted = List.of(
                new NewTopic(config.events(), config.partitions(), config.replicationFactor())
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(TimeUnit.DAYS.toMillis(7)))),
                new NewTopic(config.outcomes(), config.partitions(), config.replicationFactor())
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(TimeUnit.DAYS.toMillis(30)))),
                // An erased user's tombstone is compacted away after delete.retention.ms (1 h here, not the
                // broker's 24 h default); a reader that was away longer re-reads the topic anyway.
                new NewTopic(config.signals(), config.partitions(), config.replicationFactor())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                                TopicConfig.DELETE_RETENTION_MS_CONFIG, String.valueOf(TimeUnit.HOURS.toMillis(1)))),
                new NewTopic(config.erasures(), 1, config.replicationFactor())
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(TimeUnit.DAYS.toMillis(7)))),
                new NewTopic(config.decisions(), config.partitions(), config.replicationFactor())
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(TimeUnit.DAYS.toMillis(30)))),
                // One partition: every instance reads the whole (tiny) history of weights versions.
                new NewTopic(config.weights(), 1, config.replicationFactor())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                // One partition too: the experiment definitions are few, and one log orders them all.
                new NewTopic(config.experiments(), 1, config.replicationFactor())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                // The bandit's models, one record per choice point (the latest wins): every instance reads them all.
                new NewTopic(config.bandit(), 1, config.replicationFactor())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                // The rules log: one partition orders every change; an entry holds a whole pack (up to 1 MiB of DRL).
                new NewTopic(config.rules(), 1, config.replicationFactor())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(RULES_MAX_MESSAGE_BYTES))));
        try (Admin admin = Admin.create(KafkaClients.adminConfig(bootstrap, kafka))) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) throw e;
                }
                LOG.info("created topics {}", missing.stream().map(NewTopic::name).toList());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot reach Kafka at " + bootstrap + " to create topics (is the broker running? "
                    + "./kairos start runs one; else set KAFKA_BOOTSTRAP_SERVERS): " + e.getMessage(), e);
        }
    }

    public TopicsConfig config() { return config; }

    /**
     * Settings for a plain Kafka client of this cluster: the bootstrap servers and the security
     * settings (see {@link KafkaClients}); the caller adds its own (deserializers, timeouts).
     */
    public Map<String, Object> clientConfig() { return clientConfig; }
}
