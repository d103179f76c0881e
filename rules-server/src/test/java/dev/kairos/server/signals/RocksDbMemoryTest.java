package dev.kairos.server.signals;

import dev.kairos.server.support.TestServer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class RocksDbMemoryTest {
    @Test
    void readsTheTotalInBytes() {
        assertThat(RocksDbMemory.total(null)).isEqualTo(256L << 20);
        assertThat(RocksDbMemory.total(" ")).isEqualTo(256L << 20);
        assertThat(RocksDbMemory.total("134217728")).isEqualTo(128L << 20);
        assertThat(RocksDbMemory.total(67108864L)).isEqualTo(64L << 20);
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> RocksDbMemory.total("128MB")).hasMessageContaining("must be a number of bytes");
        assertThatThrownBy(() -> RocksDbMemory.total("1000")).hasMessageContaining("at least 8 MiB");
    }

    @Test
    void aServerWithABadSettingDoesNotStart() {
        // KAIROS_ROCKSDB_MEMORY=256MB: the operator meant 268435456. Refused while the server starts, before Kafka
        // Streams opens a store, whether or not another server of this JVM opened stores before.
        Throwable failure = catchThrowable(() -> TestServer.start(TestServer.newDataDir(),
                Map.of("kafka.streams.default." + RocksDbMemory.MEMORY_CONFIG, "256MB")).close());
        assertThat(failure).as("the server started").isNotNull();
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) messages.append(t.getMessage()).append('\n');
        assertThat(messages).contains("kairos.rocksdb.memory.bytes must be a number of bytes, not '256MB'");
    }
}
