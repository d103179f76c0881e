package dev.kairos.server.decide;

import dev.kairos.server.kafka.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.configuration.kafka.annotation.KafkaClient;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Logs every decision to the decisions topic ({@code kairos.topics.decisions}, default
 * {@code kairos.decisions}) without ever slowing {@code /v1/decide}: {@link #record(Decision)} only
 * enqueues; one background thread serializes and sends (fire-and-forget, producer
 * {@code kairos-decisions}). A full queue (Kafka slow or away for long) drops the record and counts it
 * in {@code kairos.decisions.dropped}; a send Kafka refuses is counted in
 * {@code kairos.decisions.failed}; {@code kairos.decisions.logged} counts acknowledged records.
 * Decisions are analytics, not ledger entries: losing a few under an outage is preferred over
 * making users wait. Thread-safe.
 */
@Singleton
public class DecisionLog {
    private static final Logger LOG = LoggerFactory.getLogger(DecisionLog.class);
    /**
     * Decisions waiting to be sent. Each holds its request and explanation until the background
     * thread serializes it (a few KB, more for large requests), so the bound is kept to tens of MB;
     * serializing on the request thread instead would bound bytes exactly but costs /v1/decide
     * about a tenth of its CPU.
     */
    static final int QUEUE_CAPACITY = 16_384;

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final ThreadPoolExecutor sender;
    private final Counter logged;
    private final Counter failed;
    private final Counter dropped;

    public DecisionLog(@KafkaClient("kairos-decisions") Producer<String, byte[]> producer, Topics topics, MeterRegistry meters) {
        this.producer = producer;
        this.topic = topics.config().decisions();
        this.logged = Counter.builder("kairos.decisions.logged").description("Decisions acknowledged by Kafka").register(meters);
        this.failed = Counter.builder("kairos.decisions.failed").description("Decisions Kafka did not take").register(meters);
        this.dropped = Counter.builder("kairos.decisions.dropped").description("Decisions dropped because the log queue was full").register(meters);
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE_CAPACITY),
                r -> {
                    Thread t = new Thread(r, "kairos-decision-log");
                    t.setDaemon(true);
                    return t;
                },
                (r, executor) -> dropped.increment());
    }

    /** Enqueues {@code decision} for the decisions topic; never blocks and never throws. */
    public void record(Decision decision) {
        sender.execute(() -> send(decision));
    }

    private void send(Decision decision) {
        try {
            producer.send(new ProducerRecord<>(topic, DecisionRecord.key(decision), DecisionRecord.write(decision)), (meta, error) -> {
                if (error == null) {
                    logged.increment();
                } else {
                    failed.increment();
                    LOG.debug("decision {} not logged: {}", decision.decisionId(), error.toString());
                }
            });
        } catch (RuntimeException e) {
            failed.increment();
            LOG.warn("decision {} not logged: {}", decision.decisionId(), e.toString());
        }
    }

    /** Sends what is queued (for up to 5 s) before the producer closes. */
    @PreDestroy
    void close() {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(5, TimeUnit.SECONDS)) sender.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
