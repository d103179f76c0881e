package dev.kairos.server.decide;

import dev.kairos.server.config.KairosConfig;
import dev.kairos.server.kafka.Topics;
import dev.kairos.service.health.BrokerHealth;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.configuration.kafka.annotation.KafkaClient;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Logs every decision to the decisions topic ({@code kairos.topics.decisions}, default
 * {@code kairos.decisions}) without ever slowing {@code /v1/decide}: {@link #record(Decision)} only
 * enqueues; one background thread serializes and sends (producer {@code kairos-decisions}).
 *
 * <p>Nothing answered is lost to a Kafka outage: a record Kafka cannot take now (the broker is
 * away, a retriable error, the queue is full) goes to the {@link DecisionSpool} on disk
 * ({@code <data-dir>/spool/decisions}, bounded by {@code kairos.decisions.spool-max-bytes},
 * 512 MiB by default), and a drainer sends the spool when the broker is back, also after a restart.
 * On shutdown the queue is sent, what Kafka has not acknowledged within 10 s is spooled, and the
 * spool is sent at the next start. Only a full spool drops a record, counted in
 * {@code kairos.decisions.dropped} and logged; a record Kafka refuses for good (e.g. too large) is
 * counted in {@code kairos.decisions.failed}. {@code kairos.decisions.logged} counts acknowledged
 * records, {@code kairos.decisions.spooled} records written to the spool, and the gauge
 * {@code kairos.decisions.spool.bytes} what waits there. Records may reach Kafka twice (a send
 * that timed out but arrived, then its spooled copy); the feedback store keeps one per decision id.
 * Thread-safe.
 */
@Singleton
public class DecisionLog {
    private static final Logger LOG = LoggerFactory.getLogger(DecisionLog.class);
    /**
     * Decisions waiting to be sent. Each holds its request and explanation until the background
     * thread serializes it (a few KB, more for large requests), so the bound is kept to tens of MB;
     * beyond it a decision is serialized on the request thread and spooled.
     */
    static final int QUEUE_CAPACITY = 16_384;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final BrokerHealth broker;
    private final DecisionSpool spool;
    private final ThreadPoolExecutor sender;
    private final ScheduledExecutorService drainer;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean warnedFull = new AtomicBoolean();
    private final Counter logged;
    private final Counter failed;
    private final Counter dropped;
    private final Counter spooled;
    private volatile boolean closing;
    private final boolean logFacts;

    public DecisionLog(@KafkaClient("kairos-decisions") Producer<String, byte[]> producer, Topics topics, BrokerHealth broker,
                       KairosConfig config, @Value("${kairos.decisions.spool-max-bytes:536870912}") long spoolMaxBytes,
                       MeterRegistry meters, @Value("${kairos.decisions.log-facts:true}") boolean logFacts) {
        this.producer = producer;
        this.logFacts = logFacts;
        this.topic = topics.config().decisions();
        this.broker = broker;
        this.spool = new DecisionSpool(config.dataDir().resolve("spool").resolve("decisions"), spoolMaxBytes);
        this.logged = Counter.builder("kairos.decisions.logged").description("Decisions acknowledged by Kafka").register(meters);
        this.failed = Counter.builder("kairos.decisions.failed").description("Decisions Kafka refused for good (not retriable)").register(meters);
        this.dropped = Counter.builder("kairos.decisions.dropped").description("Decisions dropped because the spool was full").register(meters);
        this.spooled = Counter.builder("kairos.decisions.spooled").description("Decisions written to the disk spool while Kafka could not take them").register(meters);
        Gauge.builder("kairos.decisions.spool.bytes", spool, DecisionSpool::bytes).description("Bytes of decisions waiting in the spool").register(meters);
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE_CAPACITY),
                r -> {
                    Thread t = new Thread(r, "kairos-decision-log");
                    t.setDaemon(true);
                    return t;
                },
                (r, executor) -> ((Send) r).spoolNow());
        this.drainer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kairos-decision-spool");
            t.setDaemon(true);
            return t;
        });
        drainer.scheduleWithFixedDelay(this::drain, 1, 1, TimeUnit.SECONDS);
    }

    /** Enqueues {@code decision} for the decisions topic; never blocks on Kafka and never throws. */
    public void record(Decision decision) {
        sender.execute(new Send(decision));
    }

    /** One decision on its way: serialized on the sender thread, or at once when the queue is full. */
    private final class Send implements Runnable {
        private final Decision decision;

        Send(Decision decision) {
            this.decision = decision;
        }

        @Override
        public void run() {
            send(DecisionRecord.key(decision), DecisionRecord.write(decision, logFacts));
        }

        void spoolNow() {
            try {
                toSpool(DecisionRecord.key(decision), DecisionRecord.write(decision, logFacts));
            } catch (RuntimeException e) {
                dropped.increment();
                LOG.warn("decision {} could not be spooled: {}", decision.decisionId(), e.toString());
            }
        }
    }

    private void send(String key, byte[] value) {
        // While Kafka is away, or older records wait in the spool, new ones join the spool.
        if (!broker.isUp() || !spool.isEmpty()) {
            toSpool(key, value);
            return;
        }
        try {
            inFlight.incrementAndGet();
            producer.send(new ProducerRecord<>(topic, key, value), (meta, error) -> {
                inFlight.decrementAndGet();
                if (error == null) logged.increment();
                else onFailure(key, value, error);
            });
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            onFailure(key, value, e);
        }
    }

    private void onFailure(String key, byte[] value, Exception error) {
        if (error instanceof RetriableException || error instanceof org.apache.kafka.common.errors.TimeoutException
                || error instanceof IllegalStateException || error instanceof org.apache.kafka.common.KafkaException && closing) {
            toSpool(key, value);
        } else {
            failed.increment();
            LOG.debug("decision not logged, Kafka refused it: {}", error.toString());
        }
    }

    private void toSpool(String key, byte[] value) {
        if (spool.append(key, value)) {
            spooled.increment();
            warnedFull.set(false);
        } else {
            dropped.increment();
            if (warnedFull.compareAndSet(false, true)) {
                LOG.error("the decision spool is full ({} bytes); decisions are being dropped until Kafka takes them again", spool.bytes());
            }
        }
    }

    /** Sends the oldest spooled segment when Kafka is reachable; deletes it once every record was acknowledged. */
    private void drain() {
        try {
            while (!closing && broker.isUp() && !spool.isEmpty()) {
                DecisionSpool.Segment segment = spool.oldest();
                if (segment == null) return;
                List<DecisionSpool.Entry> entries = segment.entries();
                CountDownLatch acks = new CountDownLatch(entries.size());
                AtomicBoolean ok = new AtomicBoolean(true);
                for (DecisionSpool.Entry e : entries) {
                    producer.send(new ProducerRecord<>(topic, e.key(), e.value()), (meta, error) -> {
                        if (error == null) logged.increment();
                        else ok.set(false);
                        acks.countDown();
                    });
                }
                if (!acks.await(60, TimeUnit.SECONDS) || !ok.get()) {
                    LOG.warn("Kafka did not take the spooled decisions of {}; retrying later", segment.path().getFileName());
                    return;
                }
                spool.delete(segment);
                LOG.info("sent {} spooled decisions to Kafka", entries.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("draining the decision spool failed: {}", e.toString());
        }
    }

    /**
     * On shutdown (the HTTP server has finished its requests by now): sends what is queued, waits
     * up to 10 s for Kafka's acknowledgements, and spools whatever Kafka has not taken.
     */
    @PreDestroy
    void close() {
        drainer.shutdownNow();
        sender.shutdown();
        try {
            if (!sender.awaitTermination(CLOSE_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                for (Runnable r : sender.shutdownNow()) ((Send) r).spoolNow();
            }
            long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
            while (inFlight.get() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closing = true;
        // Aborts what Kafka has not acknowledged; the callbacks put those records into the spool.
        producer.close(Duration.ZERO);
        spool.close();
        if (!spool.isEmpty()) LOG.warn("{} bytes of decisions stay in the spool; they are sent at the next start", spool.bytes());
    }
}
