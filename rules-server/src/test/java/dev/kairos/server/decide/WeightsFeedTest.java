package dev.kairos.server.decide;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.Weights;
import dev.kairos.server.support.SharedKafka;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthResult;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The weights feed on its own: on the real broker, and without one. */
class WeightsFeedTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void holdsTheLastPublishedWeightsWhenItReturnsAndFollowsLaterVersions() throws Exception {
        String topic = "weights-feed-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        publish(topic, "{\"version\":\"w-old\",\"recency\":0.5,\"depth\":0.2,\"conversion\":0.3}");
        publish(topic, "{\"version\":\"w-last\",\"recency\":0.4,\"depth\":0.3,\"conversion\":0.3}");
        publish(topic, "{\"version\":\"broken\",\"recency\":-1,\"depth\":0.2,\"conversion\":0.3}");

        CurrentWeights current = new CurrentWeights();
        WeightsFeed feed = new WeightsFeed(current, JSON, topic,
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()), Duration.ofSeconds(30));
        try {
            assertThat(feed.caughtUp()).isTrue();
            assertThat(current.get().getVersion()).as("the last valid record, before the constructor returned").isEqualTo("w-last");
            assertThat(health(feed, current).getStatus()).isEqualTo(HealthStatus.UP);

            publish(topic, "{\"version\":\"w-next\",\"recency\":0.3,\"depth\":0.3,\"conversion\":0.4}");
            await().atMost(Duration.ofSeconds(30)).until(() -> current.get().getVersion().equals("w-next"));
        } finally {
            feed.close();
        }
    }

    @Test
    void givesUpWaitingAfterTheStartupWaitAndReportsDownWhenKafkaCannotBeReached() {
        CurrentWeights current = new CurrentWeights();
        long start = System.nanoTime();
        // Nothing listens on port 1: every call to Kafka fails.
        WeightsFeed feed = new WeightsFeed(current, JSON, "kairos.weights",
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1"), Duration.ofSeconds(2));
        try {
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(feed.caughtUp()).isFalse();
            assertThat(current.get()).isSameAs(Weights.DEFAULT);
            HealthResult health = health(feed, current);
            assertThat(health.getStatus()).isEqualTo(HealthStatus.DOWN);
            @SuppressWarnings("unchecked") Map<String, Object> details = (Map<String, Object>) health.getDetails();
            assertThat(details).containsEntry("weightsVersion", "default").containsEntry("caughtUp", false);
        } finally {
            feed.close();
        }
    }

    private static HealthResult health(WeightsFeed feed, CurrentWeights current) {
        return new WeightsHealth(feed, current).result();
    }

    private static void publish(String topic, String json) {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(topic, "current", json));
            p.flush();
        }
    }
}
