package dev.kairos.server.signals;

import dev.kairos.server.kafka.TopicsConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's static membership: an instance id kept in the data folder, and a name for the topology it runs. */
class SignalTopologyTest {
    static TopicsConfig topics(String prefix) {
        return new TopicsConfig(prefix + ".events", prefix + ".outcomes", prefix + ".signals", prefix + ".decisions", prefix + ".weights",
                prefix + ".experiments", prefix + ".rules", prefix + ".erasures", prefix + ".bandit", 6, (short) 1);
    }

    static Properties config() {
        Properties p = new Properties();
        p.put("application.id", "kairos-signals");
        p.put("bootstrap.servers", "127.0.0.1:9092");
        p.put("topology.optimization", "all");
        return p;
    }

    @Test
    void theTopologysNameChangesWithTheModeAndTheTopicsOnly() {
        String global = SignalTopology.fingerprint(topics("kairos"), true, config());
        assertThat(global).matches("[0-9a-f]{12}").isEqualTo(SignalTopology.fingerprint(topics("kairos"), true, config()));
        // A switch of mode is a different topology (the global view is a sub-topology of its own): the
        // coordinator must not hand the partitioned run's assignment to it.
        assertThat(SignalTopology.fingerprint(topics("kairos"), false, config())).isNotEqualTo(global);
        assertThat(SignalTopology.fingerprint(topics("other"), true, config())).isNotEqualTo(global);
        // The same text in every JVM: a lambda's class or an identity hash in it would make every start a new member.
        for (boolean mode : new boolean[] {true, false}) {
            assertThat(SignalTopology.description(topics("kairos"), mode, config()))
                    .contains("kairos.events", "kairos.outcomes", "user-state", "seen-events", "states to kairos.signals")
                    .doesNotContain("$$Lambda").doesNotContainPattern("@[0-9a-f]{4,}");
        }
        assertThat(SignalTopology.description(topics("kairos"), true, config())).contains("signals-view");
    }

    @Test
    void theInstanceIdIsKeptInTheDataFolder() throws Exception {
        Path data = Files.createTempDirectory("kairos-instance-id").resolve("data");
        try {
            String id = SignalTopology.instanceId(data);
            assertThat(id).matches("kairos-[0-9a-f-]{36}");
            assertThat(SignalTopology.instanceId(data)).as("the same after a restart").isEqualTo(id);
            assertThat(Files.readString(data.resolve("instance-id")).strip()).isEqualTo(id);
            // A damaged file is replaced, not used.
            Files.writeString(data.resolve("instance-id"), "garbage");
            assertThat(SignalTopology.instanceId(data)).isNotEqualTo(id).matches("kairos-[0-9a-f-]{36}");
            Path other = Files.createDirectories(data.getParent().resolve("other"));
            assertThat(SignalTopology.instanceId(other)).as("another instance's folder").isNotEqualTo(SignalTopology.instanceId(data));
        } finally {
            dev.kairos.kafka.SharedBroker.deleteTree(data.getParent());
        }
    }
}
