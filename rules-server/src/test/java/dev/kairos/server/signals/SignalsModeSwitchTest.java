package dev.kairos.server.signals;

import dev.kairos.server.kafka.TopicFollower;
import dev.kairos.server.support.Events;
import dev.kairos.server.support.SharedKafka;
import dev.kairos.server.support.TestServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Partitioned mode does not publish states to the signals topic (nothing reads it there), and an
 * instance switched back to global mode publishes what it folded meanwhile, so its view (which
 * global mode's decide reads) has every user again.
 */
class SignalsModeSwitchTest {
    static final Map<String, Object> CLIENT = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers());
    static final List<String> USERS = List.of("switch-a", "switch-b", "switch-c", "switch-d");
    /** A restarted instance gets its partitions once the old member's session has timed out (the broker's minimum here). */
    static final Map<String, Object> GLOBAL = Map.of("kafka.streams.default.consumer.session.timeout.ms", 6000,
            "kafka.streams.default.consumer.heartbeat.interval.ms", 1000);

    @Test
    void partitionedModeDoesNotPublishAndGlobalModePublishesWhatWasFoldedMeanwhile() throws Exception {
        Path data = TestServer.newDataDir();
        String namespace;
        try (TestServer partitioned = TestServer.start(data, PartitionedSignalsTest.partitioned(PartitionedSignalsTest.freePort()))) {
            namespace = partitioned.namespace;
            Events batch = Events.batch();
            for (String user : USERS) for (int i = 0; i < 3; i++) batch.add(user, "page_view", "{\"category\": \"news\"}");
            assertThat(partitioned.http.postJson("/v1/events", WRITE_KEY, batch.json()).json().get("accepted").asInt()).isEqualTo(12);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (String user : USERS) assertThat(PartitionedSignalsTest.present(partitioned.http, user).get("events").asInt()).isEqualTo(3);
            });
            // Once the engine has committed past every event, all it sent for them is on the broker: nothing on the signals topic.
            await().atMost(Duration.ofSeconds(30)).until(() -> committedAll(namespace));
            assertThat(recordsByKey(namespace + ".signals")).as("states published in partitioned mode").isEmpty();
        }

        try (TestServer global = TestServer.start(data, GLOBAL)) {
            assertThat(global.namespace).isEqualTo(namespace);
            // Global mode's decide reads only the view, which reads only the signals topic.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (String user : USERS) assertThat(PartitionedSignalsTest.present(global.http, user).get("events").asInt()).isEqualTo(3);
            });
            Map<String, Integer> published = recordsByKey(namespace + ".signals");
            assertThat(published.keySet()).containsExactlyInAnyOrderElementsOf(USERS);

            // From now on every fold is published again, and the switch is not repeated on the next start.
            global.http.postJson("/v1/events", WRITE_KEY, Events.batch().add("switch-a", "page_view", "{}").json());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(PartitionedSignalsTest.present(global.http, "switch-a").get("events").asInt()).isEqualTo(4));
        }
        try (TestServer again = TestServer.start(data, GLOBAL)) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(PartitionedSignalsTest.present(again.http, "switch-d").get("events").asInt()).isEqualTo(3));
            again.http.postJson("/v1/events", WRITE_KEY, Events.batch().add("switch-b", "page_view", "{}").json());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(PartitionedSignalsTest.present(again.http, "switch-b").get("events").asInt()).isEqualTo(4));
            await().atMost(Duration.ofSeconds(30)).until(() -> committedAll(namespace));
            Map<String, Integer> published = recordsByKey(namespace + ".signals");
            // Once by the switch, once per event after it: switch-c and switch-d were not published a second time.
            assertThat(published).containsEntry("switch-a", 2).containsEntry("switch-b", 2)
                    .containsEntry("switch-c", 1).containsEntry("switch-d", 1);
        }
    }

    /** Whether the engine's consumer group has committed the end of every events partition. */
    static boolean committedAll(String namespace) throws Exception {
        try (Admin admin = Admin.create(CLIENT)) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(namespace + "-signals")
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 3; p++) latest.put(new TopicPartition(namespace + ".events", p), OffsetSpec.latest());
            for (var end : admin.listOffsets(latest).all().get().entrySet()) {
                OffsetAndMetadata c = committed.get(end.getKey());
                if (end.getValue().offset() > 0 && (c == null || c.offset() < end.getValue().offset())) return false;
            }
            return true;
        }
    }

    /** How many records of each key {@code topic} holds, from the beginning to its current end (read as every instance reads it). */
    static Map<String, Integer> recordsByKey(String topic) {
        Map<String, Integer> counts = new java.util.concurrent.ConcurrentHashMap<>();
        try (TopicFollower follower = new TopicFollower(topic, "mode-switch-test", CLIENT, (key, value) -> counts.merge(key, 1, Integer::sum),
                null, LoggerFactory.getLogger(SignalsModeSwitchTest.class))) {
            assertThat(follower.awaitCaughtUp(Duration.ofSeconds(30))).as("read to the end of " + topic).isTrue();
        }
        return counts;
    }
}
