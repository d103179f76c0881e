package dev.kairos.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class LocalKafkaClusterTest {
    @Test
    void threeBrokersReplicateSoAnAcknowledgedRecordSurvivesKillingOne(@TempDir Path dir) throws Exception {
        try (LocalKafkaCluster kafka = LocalKafkaCluster.start(dir, 3, 0, "256m", null)) {
            String bootstrap = kafka.bootstrapServers();
            assertThat(bootstrap.split(",")).hasSize(3);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.createTopics(List.of(new NewTopic("t", 3, (short) 3))).all().get(60, TimeUnit.SECONDS);
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
            }
            Set<String> acknowledged = new HashSet<>();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                    "enable.idempotence", "true", "delivery.timeout.ms", "60000"), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 200; i++) {
                    if (i == 100) kafka.node(1).kill();
                    String v = "r" + i;
                    producer.send(new ProducerRecord<>("t", "k" + i, v)).get(60, TimeUnit.SECONDS);
                    acknowledged.add(v);
                }
            }
            Set<String> read = new HashSet<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
                    new StringDeserializer(), new StringDeserializer())) {
                List<TopicPartition> parts = List.of(new TopicPartition("t", 0), new TopicPartition("t", 1), new TopicPartition("t", 2));
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (read.size() < acknowledged.size() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) read.add(r.value());
                }
            }
            assertThat(read).containsAll(acknowledged);
            kafka.node(1).start();
            assertThat(kafka.node(1).isRunning()).isTrue();
        }
    }
}
