package dev.kairos.server.support;

import dev.kairos.kafka.SharedBroker;

/** The one real Kafka broker of this test run (see {@link SharedBroker}). */
public final class SharedKafka {
    private SharedKafka() {}

    public static String bootstrapServers() {
        return SharedBroker.bootstrapServers();
    }
}
