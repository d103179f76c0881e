package dev.kairos.server.kafka;

import dev.kairos.server.support.SharedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The follower of the compacted topics every instance reads whole, against the real broker. */
class TopicFollowerTest {
    private static final Map<String, Object> CLIENT = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers());

    static void publish(String topic, String key, String value) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.<String, Object>copyOf(CLIENT), new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void readsEveryPartitionFromTheBeginningSkipsWhatItsHandlerThrowsOnAndFollowsLaterRecords() throws Exception {
        String topic = "follower-" + UUID.randomUUID();
        try (Admin admin = Admin.create(CLIENT)) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 6; i++) publish(topic, "k" + i, "v" + i);
        publish(topic, "bad", "boom");
        publish(topic, "gone", null);

        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger caughtUpCalls = new AtomicInteger();
        try (TopicFollower follower = new TopicFollower(topic, "follower-test", CLIENT, (key, value) -> {
            if ("bad".equals(key)) throw new IllegalStateException("a handler that fails on one record");
            seen.add(key + "=" + (value == null ? "null" : new String(value, StandardCharsets.UTF_8)));
        }, caughtUpCalls::incrementAndGet, LoggerFactory.getLogger(TopicFollowerTest.class))) {
            assertThat(follower.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(caughtUpCalls.get()).isEqualTo(1);
            assertThat(seen).containsExactlyInAnyOrder("k0=v0", "k1=v1", "k2=v2", "k3=v3", "k4=v4", "k5=v5", "gone=null");
            assertThat(follower.lastProblem()).isNull();

            publish(topic, "later", "v9");
            await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("later=v9"));
            assertThat(caughtUpCalls.get()).as("reported once").isEqualTo(1);
        }
    }

    @Test
    void reportsWhyItCannotReadAMissingTopicAndKeepsTrying() {
        try (TopicFollower follower = new TopicFollower("no-such-topic-" + UUID.randomUUID(), "follower-missing",
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(), "allow.auto.create.topics", false),
                (key, value) -> { }, null, LoggerFactory.getLogger(TopicFollowerTest.class))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> follower.lastProblem() != null);
            assertThat(follower.lastProblem()).contains("not found");
            assertThat(follower.caughtUp()).isFalse();
        }
    }
}
