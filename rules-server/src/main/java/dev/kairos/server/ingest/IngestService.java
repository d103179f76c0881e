package dev.kairos.server.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.server.kafka.Topics;
import dev.kairos.service.health.BrokerHealth;
import dev.kairos.server.signals.SignalsView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.configuration.kafka.annotation.KafkaClient;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Hands validated batches to Kafka and completes only when every record is acknowledged by all
 * in-sync replicas (idempotent producer, {@code acks=all}), so a 200 means durably accepted.
 * Records are keyed by user ({@code userId}; else the user an {@code anonymousId} identified as;
 * else the {@code anonymousId}) so each user's events stay ordered in one partition. Ids accepted
 * recently on this instance (the last {@code kairos.ingest.recent-ids} per endpoint at least, within
 * an hour; {@link RecentIds}) are answered as duplicates without being sent again; the signal
 * engine de-duplicates across instances and restarts. While the background probe says Kafka
 * is unreachable ({@link BrokerHealth}), a batch fails at once (the caller answers 503 with
 * {@code Retry-After}) instead of waiting for the producer's timeouts.
 */
@Singleton
public class IngestService {
    /**
     * The executor batches are read, sent and finished on: a fixed pool ({@code micronaut.executors.ingest}, two
     * threads per core), not a thread per request in flight; fewer threads than connections took ~10 % more events a
     * second on 2 cores (docs/benchmarks.md §30).
     */
    public static final String EXECUTOR = "ingest";

    /** The answer to one batch. */
    public record Result(int accepted, int duplicates, List<BatchReader.Rejection> rejected) {}

    private final Producer<String, byte[]> producer;
    private final Topics topics;
    private final SignalsView view;
    /** Finishes a batch once Kafka acknowledged it (off the producer's I/O thread), on the pool that read it. */
    private final java.util.concurrent.ExecutorService finishing;
    private final BrokerHealth broker;
    private final BatchReader reader;
    /** Ids accepted here recently, per endpoint: the last {@code kairos.ingest.recent-ids} at least, within an hour ({@link BatchReader.Item#id()}). */
    private final RecentIds recentEvents;
    private final RecentIds recentOutcomes;
    private final Counter accepted;
    private final Counter duplicates;
    private final Counter rejected;

    public IngestService(@KafkaClient("kairos-ingest") Producer<String, byte[]> producer, Topics topics, SignalsView view,
                         ObjectMapper json, IngestConfig config, BrokerHealth broker, MeterRegistry meters,
                         @jakarta.inject.Named(EXECUTOR) java.util.concurrent.ExecutorService finishing) {
        this.producer = producer;
        this.finishing = finishing;
        this.broker = broker;
        this.topics = topics;
        this.view = view;
        this.reader = new BatchReader(json, config);
        this.recentEvents = recentIds(config.recentIds());
        this.recentOutcomes = recentIds(config.recentIds());
        this.accepted = Counter.builder("kairos.ingest.accepted").description("Items durably handed to Kafka").register(meters);
        this.duplicates = Counter.builder("kairos.ingest.duplicates").description("Items answered as duplicates").register(meters);
        this.rejected = Counter.builder("kairos.ingest.rejected").description("Items rejected as invalid").register(meters);
    }

    /** Validates and publishes a batch of events (the request body, JSON); malformed JSON is thrown, as Jackson's exception. */
    public CompletableFuture<Result> events(byte[] body) throws java.io.IOException {
        BatchReader.Batch batch = reader.events(body, Instant.now(), this::keyOf);
        return publish(topics.config().events(), batch);
    }

    /** Validates and publishes a batch of outcomes (the request body, JSON); malformed JSON is thrown, as Jackson's exception. */
    public CompletableFuture<Result> outcomes(byte[] body) throws java.io.IOException {
        BatchReader.Batch batch = reader.outcomes(body, Instant.now(), this::keyOf);
        return publish(topics.config().outcomes(), batch);
    }

    private static RecentIds recentIds(int max) {
        return new RecentIds(max, Duration.ofHours(1).toNanos(), System::nanoTime);
    }

    private String keyOf(String userId, String anonymousId) {
        if (userId != null) return userId;
        return view.aliasOf(anonymousId).orElse(anonymousId);
    }

    private CompletableFuture<Result> publish(String topic, BatchReader.Batch batch) {
        if (!broker.isUp() && !batch.items().isEmpty()) {
            // Fail fast while Kafka is away: the client retries after Retry-After instead of waiting for a timeout.
            return CompletableFuture.failedFuture(new KafkaUnavailableException());
        }
        RecentIds recent = topic.equals(topics.config().outcomes()) ? recentOutcomes : recentEvents;
        List<BatchReader.Item> items = batch.items();
        List<UUID> ids = new ArrayList<>(items.size());
        for (BatchReader.Item item : items) ids.add(item.id());
        boolean[] known = recent.containsEach(ids);
        List<UUID> sent = new ArrayList<>(items.size());
        java.util.Set<UUID> inBatch = new java.util.HashSet<>(items.size() * 2); // no rehashing for a batch
        List<BatchReader.Item> toSend = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            if (known[i] || !inBatch.add(ids.get(i))) continue;
            toSend.add(items.get(i));
            sent.add(ids.get(i));
        }
        int duplicateCount = items.size() - toSend.size();
        rejected.increment(batch.rejected().size());
        Acks acks = new Acks(toSend.size(), () -> {
            recent.addAll(sent);
            accepted.increment(sent.size());
            duplicates.increment(duplicateCount);
            return new Result(sent.size(), duplicateCount, batch.rejected());
        });
        for (BatchReader.Item item : toSend) producer.send(new ProducerRecord<>(topic, item.key(), item.value()), acks);
        return acks.result;
    }

    /**
     * Counts Kafka's acknowledgements of one batch (one object per batch, not a future per record). When the
     * last one arrives, the batch is finished — remembered, counted, answered — on another thread than the
     * producer's I/O thread that calls back, which must stay free to send and receive; a failed record fails
     * the batch once every record has been answered.
     */
    private final class Acks implements org.apache.kafka.clients.producer.Callback {
        final CompletableFuture<Result> result = new CompletableFuture<>();
        private final java.util.concurrent.atomic.AtomicInteger remaining;
        private final java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
        private final java.util.function.Supplier<Result> acknowledged;

        Acks(int records, java.util.function.Supplier<Result> acknowledged) {
            this.remaining = new java.util.concurrent.atomic.AtomicInteger(records);
            this.acknowledged = acknowledged;
            if (records == 0) result.complete(acknowledged.get());
        }

        @Override
        public void onCompletion(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception error) {
            if (error != null) failure.compareAndSet(null, error);
            if (remaining.decrementAndGet() != 0) return;
            Exception failed = failure.get();
            if (failed != null) {
                result.completeExceptionally(failed);
                return;
            }
            try {
                finishing.execute(this::finish);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                finish(); // shutting down: Kafka has the batch, so it is still answered as accepted
            }
        }

        private void finish() {
            try {
                result.complete(acknowledged.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }
    }

    /** Kafka is not reachable right now; nothing of the batch was sent. */
    static final class KafkaUnavailableException extends RuntimeException {
        KafkaUnavailableException() {
            super("Kafka is not reachable", null, false, false);
        }
    }
}
