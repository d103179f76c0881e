package dev.kairos.service.kafka;

import org.apache.kafka.clients.admin.AdminClientConfig;

import java.util.HashMap;
import java.util.Map;

/**
 * Settings for the plain Kafka clients a service makes itself (outside Micronaut's
 * {@code @KafkaClient} and {@code @KafkaListener}): the bootstrap servers and the cluster's security
 * settings from the {@code kafka.*} configuration ({@code security.protocol}, {@code sasl.*},
 * {@code ssl.*}, e.g. {@code KAFKA_SECURITY_PROTOCOL=SASL_SSL}), the same ones the producers,
 * consumers and Kafka Streams get, so these clients work against a secured cluster too.
 *
 * <pre>Admin.create(KafkaClients.adminConfig(bootstrap, environment.getProperties("kafka", StringConvention.RAW)));</pre>
 */
public final class KafkaClients {
    private KafkaClients() {}

    /** Bootstrap servers and security settings; a new, mutable map the caller adds its own settings to. */
    public static Map<String, Object> clientConfig(String bootstrap, Map<String, Object> kafka) {
        Map<String, Object> config = new HashMap<>();
        kafka.forEach((key, value) -> {
            if (value != null && (key.equals("security.protocol") || key.startsWith("sasl.") || key.startsWith("ssl."))) {
                config.put(key, value);
            }
        });
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return config;
    }

    /** {@link #clientConfig} plus the admin client's timeouts (60 s per call, 10 s per request). */
    public static Map<String, Object> adminConfig(String bootstrap, Map<String, Object> kafka) {
        Map<String, Object> config = clientConfig(bootstrap, kafka);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return config;
    }
}
