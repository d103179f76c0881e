package dev.kairos.service.kafka;

import io.micronaut.context.env.DefaultEnvironment;
import io.micronaut.context.env.Environment;
import io.micronaut.context.env.PropertySource;
import io.micronaut.core.naming.conventions.StringConvention;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Kafka clients a service makes itself get the cluster's security settings from the same {@code kafka.*} configuration as the others. */
class KafkaClientsTest {
    @Test
    void passesTheClustersSecuritySettingsToTheAdminClient() {
        Environment env = new DefaultEnvironment(() -> List.of("test"));
        env.addPropertySource(PropertySource.of("test", Map.of(
                "kafka.bootstrap.servers", "broker-1:9093",
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.mechanism", "SCRAM-SHA-512",
                "kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"k\" password=\"p\";",
                "kafka.ssl.truststore.location", "/etc/kafka/truststore.jks",
                "kafka.producers.kairos-ingest.acks", "all")));
        env.start();
        try {
            Map<String, Object> config = KafkaClients.adminConfig("broker-1:9093", env.getProperties("kafka", StringConvention.RAW));
            assertThat(config).containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.jks")
                    .containsKey("sasl.jaas.config")
                    .containsEntry(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "broker-1:9093")
                    .doesNotContainKey("producers.kairos-ingest.acks");
            // Kafka itself parses them: a wrong key or type would fail here.
            AdminClientConfig parsed = new AdminClientConfig(config);
            assertThat(parsed.getString("security.protocol")).isEqualTo("SASL_SSL");
            assertThat(parsed.getString("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
        } finally {
            env.stop();
        }
    }
}
