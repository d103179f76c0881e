package dev.kairos.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
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
    /** The answer to one batch. */
    public record Result(int accepted, int duplicates, List<BatchReader.Rejection> rejected) {}

    private final Producer<String, byte[]> producer;
    private final Topics topics;
    private final SignalsView view;
    private final BrokerHealth broker;
    private final BatchReader reader;
    /** Ids accepted here recently, per endpoint: the last {@code kairos.ingest.recent-ids} at least, within an hour ({@link BatchReader.Item#id()}). */
    private final RecentIds recentEvents;
    private final RecentIds recentOutcomes;
    private final Counter accepted;
    private final Counter duplicates;
    private final Counter rejected;

    public IngestService(@KafkaClient("kairos-ingest") Producer<String, byte[]> producer, Topics topics, SignalsView view,
                         ObjectMapper json, IngestConfig config, BrokerHealth broker, MeterRegistry meters) {
        this.producer = producer;
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

    /** Validates and publishes a batch of events. */
    public CompletableFuture<Result> events(JsonNode body) {
        BatchReader.Batch batch = reader.events(body, Instant.now(), this::keyOf);
        return publish(topics.config().events(), batch);
    }

    /** Validates and publishes a batch of outcomes. */
    public CompletableFuture<Result> outcomes(JsonNode body) {
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
        List<CompletableFuture<Void>> sends = new ArrayList<>(batch.items().size());
        List<UUID> sent = new ArrayList<>(batch.items().size());
        java.util.Set<UUID> inBatch = new java.util.HashSet<>();
        int dup = 0;
        for (BatchReader.Item item : batch.items()) {
            UUID key = item.id();
            if (recent.contains(key) || !inBatch.add(key)) {
                dup++;
                continue;
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            producer.send(new ProducerRecord<>(topic, item.key(), item.value()), (meta, error) -> {
                if (error != null) f.completeExceptionally(error);
                else f.complete(null);
            });
            sends.add(f);
            sent.add(key);
        }
        int duplicateCount = dup;
        rejected.increment(batch.rejected().size());
        return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).thenApply(ok -> {
            recent.addAll(sent);
            accepted.increment(sent.size());
            duplicates.increment(duplicateCount);
            return new Result(sent.size(), duplicateCount, batch.rejected());
        });
    }

    /** Kafka is not reachable right now; nothing of the batch was sent. */
    static final class KafkaUnavailableException extends RuntimeException {
        KafkaUnavailableException() {
            super("Kafka is not reachable", null, false, false);
        }
    }
}
