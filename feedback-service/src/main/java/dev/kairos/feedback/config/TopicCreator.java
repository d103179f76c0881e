package dev.kairos.feedback.config;

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
 * Creates the decisions, outcomes and weights topics at start-up when they are missing, with the
 * same settings rules-server uses, so either service may start first (a consumer subscribed to a
 * topic that does not exist yet would only notice it at its next metadata refresh). Waits up to a
 * minute for the broker, then fails the start with a clear message.
 */
@Context
public class TopicCreator {
    private static final Logger LOG = LoggerFactory.getLogger(TopicCreator.class);

    public TopicCreator(FeedbackTopics topics, @Value("${kafka.bootstrap.servers}") String bootstrap,
                        io.micronaut.context.env.Environment environment) {
        String month = String.valueOf(TimeUnit.DAYS.toMillis(30));
        List<NewTopic> wanted = List.of(
                new NewTopic(topics.decisions(), topics.partitions(), topics.replicationFactor())
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, month)),
                new NewTopic(topics.outcomes(), topics.partitions(), topics.replicationFactor())
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, month)),
                new NewTopic(topics.weights(), 1, topics.replicationFactor())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                new NewTopic(topics.erasures(), 1, topics.replicationFactor())
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(TimeUnit.DAYS.toMillis(7)))),
                new NewTopic(topics.bandit(), 1, topics.replicationFactor())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                new NewTopic(topics.triggersDead(), 1, topics.replicationFactor())
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, month)));
        try (Admin admin = Admin.create(KafkaClients.adminConfig(bootstrap,
                environment.getProperties("kafka", io.micronaut.core.naming.conventions.StringConvention.RAW)))) {
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
            throw new IllegalStateException("cannot reach Kafka at " + bootstrap + " (is the broker running? ./kairos start runs one; "
                    + "else set KAFKA_BOOTSTRAP_SERVERS): " + e.getMessage(), e);
        }
    }
}
