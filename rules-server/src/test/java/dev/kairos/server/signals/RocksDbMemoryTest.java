package dev.kairos.server.signals;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
