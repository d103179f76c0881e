package dev.kairos.server.signals;

import dev.kairos.server.kafka.Topics;
import dev.kairos.service.api.ApiException;
import io.micronaut.configuration.kafka.annotation.KafkaClient;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.PathVariable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code DELETE /v1/users/{userKey}} (admin key): the right to erasure. The request is written to
 * the events topic as an {@code erase} control record under the user's key (acknowledged by the
 * in-sync replicas before the 202), so it is ordered after every event of the user accepted before
 * it, and the partition that owns the user carries it out ({@link SignalProcessor}): the user's
 * state and the anonymous ids merged into it are deleted from the state store (changelog
 * tombstones) and the signals topic (tombstones, then compaction), and the erased keys go to the
 * erasures topic, where the feedback service deletes the user's decisions and outcomes.
 */
@Tag(name = "Users", description = "What the signal engine knows of a user (docs/api.md#get-v1usersuserkeysignals)")
@Controller("/v1/users")
public class ErasureController {
    private static final Logger LOG = LoggerFactory.getLogger(ErasureController.class);
    static final int MAX_KEY_LENGTH = 256;

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final Counter requested;

    public ErasureController(@KafkaClient("kairos-ingest") Producer<String, byte[]> producer, Topics topics, MeterRegistry meters) {
        this.producer = producer;
        this.topic = topics.config().events();
        this.requested = Counter.builder("kairos.erasures.requested").description("User erasures accepted").register(meters);
    }

    @Operation(summary = "Erase everything Kairos keeps about a user (signals, profile, identity links, feedback rows)")
    @Delete("/{userKey}")
    public HttpResponse<Map<String, Object>> erase(@PathVariable String userKey) {
        if (userKey.isBlank() || userKey.length() > MAX_KEY_LENGTH) {
            throw ApiException.badRequest("invalid_value", "userKey must be 1-" + MAX_KEY_LENGTH + " characters", "userKey");
        }
        String requestId = UUID.randomUUID().toString();
        RecordHeaders headers = new RecordHeaders();
        headers.add(SignalProcessor.CONTROL_HEADER, SignalProcessor.ERASE.getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(new ProducerRecord<>(topic, null, userKey, requestId.getBytes(StandardCharsets.UTF_8), headers))
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted before the erasure was stored; nothing changed, try again");
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("erasure request {} not stored: {}", requestId, e.toString());
            throw ApiException.unavailable("Kafka did not store the erasure request (nothing changed); try again");
        }
        requested.increment();
        // The key is personal data: the log names the request only.
        LOG.info("erasure {} accepted", requestId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("requestId", requestId);
        body.put("userKey", userKey);
        body.put("status", "accepted");
        body.put("acceptedAt", Instant.now().toString());
        return HttpResponse.<Map<String, Object>>status(HttpStatus.ACCEPTED).body(body);
    }
}
