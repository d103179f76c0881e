package dev.kairos.server.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.bench.IngestLoad;
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

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The ingest path's own work on one body of {@code POST /v1/events}: a batch of 100 events as
 * the load harness sends them (benchmarks/load/ingest.sh), read, validated and written as the
 * canonical records handed to Kafka — no HTTP, no Kafka. In the package of {@link BatchReader}.
 * {@code timestamps}: {@code sdk}, every event stamped as the SDKs stamp them ({@code 2026-12-07T20:15:00.123Z});
 * {@code none}, no event stamped (the server stamps them with its time, formatted once per batch).
 * <pre>benchmarks/run-jmh.sh IngestReadBenchmark</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class IngestReadBenchmark {
    /** As the server reads bodies (application.yml): a field twice or anything after the body is an error. */
    private final ObjectMapper json = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    @Param({"sdk", "none"})
    public String timestamps;

    private final BatchReader reader = new BatchReader(json, new IngestConfig(500, 32768, 250_000));
    private byte[][] bodies;
    private int next;
    private Instant now;

    @Setup
    public void setUp() {
        bodies = new byte[64][];
        for (int i = 0; i < bodies.length; i++) bodies[i] = IngestLoad.batch(i, timestamps.equals("sdk")).getBytes(StandardCharsets.UTF_8);
        now = Instant.now();
        BatchReader.Batch check = read(bodies[0]);
        if (check.items().size() != IngestLoad.BATCH || !check.rejected().isEmpty()) throw new IllegalStateException("the batch is not all valid: " + check.rejected());
    }

    @Benchmark
    public BatchReader.Batch events() {
        byte[] body = bodies[next++ & (bodies.length - 1)];
        return read(body);
    }

    private BatchReader.Batch read(byte[] body) {
        try {
            return reader.events(body, now, (userId, anonymousId) -> userId != null ? userId : anonymousId);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
