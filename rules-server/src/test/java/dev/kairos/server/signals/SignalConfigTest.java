package dev.kairos.server.signals;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine's settings refuse what cannot work, with a message that says which setting and why. */
class SignalConfigTest {
    static SignalConfig config(String mode, boolean exactlyOnce) {
        return new SignalConfig(Duration.ofMinutes(30), 3000, 3, Duration.ofMinutes(10), Duration.ofSeconds(60),
                Duration.ofDays(7), Duration.ofMinutes(30), mode, 1, Duration.ofMillis(50), exactlyOnce, null);
    }

    @Test
    void exactlyOnceIsForThePartitionedModeOnly() {
        assertThat(config("partitioned", true).exactlyOnce()).isTrue();
        assertThat(config("global", false).exactlyOnce()).isFalse();
        assertThat(SignalConfig.defaults().exactlyOnce()).as("off unless asked for").isFalse();
        assertThatThrownBy(() -> config("global", true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kairos.signals.exactly-once needs kairos.signals.mode=partitioned");
    }

    @Test
    void anUnknownModeIsRefused() {
        assertThatThrownBy(() -> config("sharded", false)).hasMessageContaining("kairos.signals.mode must be 'global' or 'partitioned'");
    }
}
