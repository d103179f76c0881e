package dev.kairos.server.ingest;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What the ingest path's de-duplication costs per batch of 100 new event ids, as {@link IngestService} uses it:
 * {@link RecentIds#containsEach} before the batch is sent, {@link RecentIds#addAll} once Kafka acknowledged it —
 * with both generations filled (the default {@code kairos.ingest.recent-ids}, 250,000), so the lookups miss as
 * they do under load. The peer is what one would write first: a concurrent set of the same ids, bounded the same
 * way (two generations of {@link ConcurrentHashMap#newKeySet()}).
 * <pre>benchmarks/run-jmh.sh RecentIdsBenchmark</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class RecentIdsBenchmark {
    @Param("250000")
    public int capacity;

    /**
     * Bytes read between operations (not timed) to push the tables out of the cores' caches, as the rest of the
     * server's work does under load (0: the tables stay as cached as a loop of lookups alone leaves them).
     */
    @Param({"0", "8388608"})
    public int evict;
    private long[] other;
    public long evicted;

    private final SplittableRandom random = new SplittableRandom(16);
    private RecentIds recent;
    private java.util.Set<UUID> current;
    private java.util.Set<UUID> previous;

    @Setup
    public void setUp() {
        recent = new RecentIds(capacity, Duration.ofHours(1).toNanos(), System::nanoTime);
        current = ConcurrentHashMap.newKeySet();
        previous = ConcurrentHashMap.newKeySet();
        // Both generations full, the current one half way: as after a few minutes of ingest.
        for (int i = 0; i < capacity * 5 / 2; i += 100) {
            List<UUID> ids = batch();
            recent.addAll(ids);
            addToSets(ids);
        }
    }

    @Setup(org.openjdk.jmh.annotations.Level.Invocation)
    public void evictCaches() {
        if (other == null) other = new long[Math.max(1, evict / 8)];
        if (evict == 0) return;
        long sum = 0;
        for (int i = 0; i < other.length; i += 8) sum += other[i]++;
        evicted += sum;
    }

    private List<UUID> batch() {
        List<UUID> ids = new ArrayList<>(100);
        for (int i = 0; i < 100; i++) ids.add(new UUID(random.nextLong(), random.nextLong()));
        return ids;
    }

    @Benchmark
    public boolean[] recentIds() {
        List<UUID> ids = batch();
        boolean[] known = recent.containsEach(ids);
        recent.addAll(ids);
        return known;
    }

    @Benchmark
    public boolean[] concurrentSets() {
        List<UUID> ids = batch();
        boolean[] known = new boolean[ids.size()];
        for (int i = 0; i < known.length; i++) known[i] = current.contains(ids.get(i)) || previous.contains(ids.get(i));
        addToSets(ids);
        return known;
    }

    private void addToSets(List<UUID> ids) {
        for (UUID id : ids) {
            if (current.size() >= capacity) {
                java.util.Set<UUID> older = previous;
                previous = current;
                older.clear();
                current = older;
            }
            current.add(id);
        }
    }
}
