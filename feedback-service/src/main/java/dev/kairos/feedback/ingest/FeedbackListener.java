package dev.kairos.feedback.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.feedback.store.FeedbackStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Stores the decisions and outcomes topics, and carries out the erasures topic, (consumer group {@code kairos.feedback.group-id}, default
 * {@code kairos-feedback}), a poll's batch at a time. At-least-once: offsets are committed
 * synchronously only after the batch is committed in the database; a batch that cannot be stored is
 * retried (backing off up to 30 s) and never skipped, and writes are idempotent, so a redelivered
 * batch changes nothing. A record that cannot be read is skipped and counted in
 * {@code kairos.feedback.unreadable}; stored rows are counted in {@code kairos.feedback.decisions}
 * and {@code kairos.feedback.outcomes}, decisions whose facts were too large to keep for replay in
 * {@code kairos.feedback.facts.not.kept}.
 */
@KafkaListener(groupId = "${kairos.feedback.group-id:kairos-feedback}", batch = true, offsetReset = OffsetReset.EARLIEST,
        offsetStrategy = OffsetStrategy.SYNC)
public class FeedbackListener {
    private static final Logger LOG = LoggerFactory.getLogger(FeedbackListener.class);

    private final FeedbackStore store;
    private final dev.kairos.feedback.triggers.TriggerStore triggers;
    private final dev.kairos.feedback.learn.BanditStore bandit;
    private final RecordReader reader;
    private final Counter decisions;
    private final Counter outcomes;
    private final Counter unreadable;
    private final Counter erasures;
    private volatile boolean closing;

    public FeedbackListener(FeedbackStore store, dev.kairos.feedback.triggers.TriggerStore triggers, dev.kairos.feedback.learn.BanditStore bandit,
                            ObjectMapper json, MeterRegistry meters) {
        this.bandit = bandit;
        this.store = store;
        this.triggers = triggers;
        this.reader = new RecordReader(json);
        this.decisions = Counter.builder("kairos.feedback.decisions").description("Decisions newly stored").register(meters);
        this.outcomes = Counter.builder("kairos.feedback.outcomes").description("Outcomes newly stored").register(meters);
        this.erasures = Counter.builder("kairos.feedback.erasures").description("User erasures carried out").register(meters);
        this.unreadable = Counter.builder("kairos.feedback.unreadable").description("Records skipped as unreadable").register(meters);
        io.micrometer.core.instrument.FunctionCounter.builder("kairos.feedback.facts.not.kept", store, FeedbackStore::factsNotKept)
                .description("Decisions stored without their facts for replay, the facts being too large").register(meters);
    }

    @Topic("${kairos.topics.decisions}")
    void decisions(List<ConsumerRecord<String, byte[]>> records) {
        decisions.increment(store(records, reader::decided, decided -> {
            List<dev.kairos.feedback.store.DecisionRow> rows = new ArrayList<>(decided.size());
            List<dev.kairos.feedback.triggers.TriggerStore.TriggerRow> triggers = new ArrayList<>();
            List<dev.kairos.feedback.learn.BanditStore.ChoiceRow> choices = new ArrayList<>();
            for (RecordReader.Decided d : decided) {
                if (d.row() != null) rows.add(d.row());
                triggers.addAll(d.triggers());
                choices.addAll(d.choices());
            }
            int stored = store.saveDecisions(rows);
            if (!choices.isEmpty()) bandit.save(choices);
            // idempotent by key, so a batch stored again after a failure enqueues nothing twice
            if (!triggers.isEmpty()) this.triggers.enqueue(triggers, System.currentTimeMillis());
            return stored;
        }));
    }

    @Topic("${kairos.topics.outcomes}")
    void outcomes(List<ConsumerRecord<String, byte[]>> records) {
        outcomes.increment(store(records, reader::outcome, store::saveOutcomes));
    }

    /** Users erased by the signal engine ({@code DELETE /v1/users/{userKey}} on rules-server): their rows go. */
    @Topic("${kairos.topics.erasures}")
    void erasures(List<ConsumerRecord<String, byte[]>> records) {
        erasures.increment(store(records, reader::erasure, notices -> {
            int done = 0;
            for (RecordReader.ErasureNotice n : notices) {
                long rows = store.erase(n.requestId(), n.keys(), n.erasedAt());
                LOG.info("erasure {}: {} rows deleted", n.requestId(), rows);
                done++;
            }
            return done;
        }));
    }

    private <T> int store(List<ConsumerRecord<String, byte[]>> records, Function<byte[], T> read, ToIntFunction<List<T>> save) {
        List<T> rows = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                rows.add(read.apply(r.value()));
            } catch (RuntimeException e) {
                // Never let one bad record fail the batch: a failed batch is not re-read.
                unreadable.increment();
                LOG.warn("skipped unreadable record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
            }
        }
        long backoff = 250;
        while (true) {
            try {
                return save.applyAsInt(rows);
            } catch (RuntimeException e) {
                if (closing) throw e;
                if (isDataError(e)) {
                    // The database refuses some row's data (not an outage): store row by row and
                    // skip the rows it refuses, so one bad record cannot stop ingestion.
                    return saveRowByRow(rows, save);
                }
                LOG.warn("could not store {} rows, retrying in {} ms ({})", rows.size(), backoff, sqlState(e));
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoff = Math.min(30_000, backoff * 2);
            }
        }
    }

    private <T> int saveRowByRow(List<T> rows, ToIntFunction<List<T>> save) {
        int stored = 0;
        for (T row : rows) {
            while (true) {
                try {
                    stored += save.applyAsInt(List.of(row));
                    break;
                } catch (RuntimeException e) {
                    if (isDataError(e)) {
                        unreadable.increment();
                        LOG.warn("skipped a row the database refuses ({})", sqlState(e));
                        break;
                    }
                    if (closing) throw e;
                    LOG.warn("could not store a row, retrying in 1 s ({})", sqlState(e));
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
            }
        }
        return stored;
    }

    /** SQLState class 22 (data exception) or 23 (integrity constraint): retrying the same row cannot help. */
    static boolean isDataError(Throwable e) {
        String state = sqlState(e);
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /** The SQLState of the first SQLException in the cause chain (no message: it may quote user data). */
    static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) return sql.getSQLState();
        }
        return null;
    }

    @PreDestroy
    void close() {
        closing = true;
    }
}
