package dev.kairos.server.signals;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

import java.util.Map;

/**
 * Bounds the signal engine's RocksDB memory: every store of this process (each partition's
 * {@code user-state} and {@code seen-events}, and the global {@code signals-view}) shares one block
 * cache of {@code kairos.rocksdb.memory.bytes} bytes (256 MiB by default, {@code KAIROS_ROCKSDB_MEMORY}),
 * and their write buffers (memtables) are charged to it, up to half of it. Kafka Streams' default
 * gives each store a 50 MiB cache and up to three 16 MiB memtables of its own: with six partitions
 * and a global view up to 1.3 GB outside the heap, more with more partitions (docs/benchmarks.md §21).
 * Index and filter blocks stay outside the cache, as by default (about 1 % of the data: caching them
 * too made no measurable difference here).
 *
 * <p>Kafka Streams creates one instance per store ({@code rocksdb.config.setter}); the cache and the
 * write buffer manager are shared by all of them and by every Kafka Streams application of the
 * process (the first one's setting wins), and live as long as the process.
 */
public final class RocksDbMemory implements RocksDBConfigSetter {
    /** The Streams property with the total in bytes. */
    public static final String MEMORY_CONFIG = "kairos.rocksdb.memory.bytes";
    static final long DEFAULT_MEMORY = 256L << 20;

    private static Cache cache;
    private static WriteBufferManager writeBuffers;
    private static long memory;

    /** The shared cache and write buffer manager, made on first use with the configured total. */
    private static synchronized void init(Map<String, Object> configs) {
        if (cache != null) return;
        // A bad setting was refused at start already (SignalTopology), before any store opened.
        memory = total(configs.get(MEMORY_CONFIG));
        // Not strict: with a strict limit RocksDB fails reads when the cache is full; this one may overrun it briefly.
        cache = new LRUCache(memory, -1, false);
        writeBuffers = new WriteBufferManager(memory / 2, cache);
    }

    static long total(Object configured) {
        if (configured == null || configured.toString().isBlank()) return DEFAULT_MEMORY;
        long bytes;
        try {
            bytes = Long.parseLong(configured.toString().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(MEMORY_CONFIG + " must be a number of bytes, not '" + configured + "'");
        }
        if (bytes < (8L << 20)) throw new IllegalArgumentException(MEMORY_CONFIG + " must be at least 8 MiB (8388608), not " + bytes);
        return bytes;
    }

    /** The total this process uses, once a store was opened (0 before). */
    static synchronized long memory() {
        return memory;
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        init(configs);
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        options.setWriteBufferManager(writeBuffers);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store: they stay open.
    }
}
