package dev.kairos.feedback.triggers;

import dev.kairos.feedback.config.FeedbackTopics;
import dev.kairos.feedback.guardrail.Webhook;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.configuration.kafka.annotation.KafkaClient;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Delivers cross-channel triggers as outbound webhooks: every {@code kairos.feedback.triggers.poll}
 * it claims the due pending deliveries ({@link TriggerStore#claimDue}) and POSTs each one's JSON to
 * its channel's URL ({@code KAIROS_TRIGGER_WEBHOOK_URL}, or {@code KAIROS_TRIGGER_WEBHOOK_URL_EMAIL},
 * {@code _SMS}, {@code _PUSH} for one channel; or, when the pack's {@code triggers.yaml} names a
 * receiver for the channel, that receiver's URL from {@code KAIROS_TRIGGER_RECEIVERS}
 * ({@code brand_a_email=https://...,brand_b_email=https://...}): operators own the URLs, packs only
 * pick among them) with
 * <ul>
 *   <li>{@code Idempotency-Key}: the trigger's key, the same on every attempt (the receiver acts on a key once),</li>
 *   <li>{@code X-Kairos-Signature: sha256=<hex HMAC-SHA256 of the body>} with {@code KAIROS_TRIGGER_WEBHOOK_SECRET},</li>
 *   <li>{@code X-Kairos-Attempt}: 1, 2, ...</li>
 * </ul>
 * A 2xx is delivered. {@code 410 Gone} means the user unsubscribed at the receiver: the user is
 * opted out of the channel and the trigger skipped. Another 4xx (but 408 and 429) is refused for
 * good. A connection failure, timeout, 408, 429 or 5xx is retried with exponential backoff
 * ({@code kairos.feedback.triggers.backoff}, doubling) up to {@code max-attempts}; then, as for a
 * refusal, the delivery is dead and its record goes to the dead-letter topic
 * ({@code kairos.topics.triggers-dead}) with the last status and error. Channels without a URL
 * keep their deliveries pending until one is configured. Claims expire, so deliveries of an
 * instance that died are picked up by another.
 */
@Context
public class TriggerDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(TriggerDispatcher.class);
    private static final long CLAIM_MILLIS = 60_000;
    private static final int BATCH = 50;

    private final TriggerStore store;
    private final Producer<String, byte[]> producer;
    private final String deadTopic;
    private final Map<String, String> urls = new LinkedHashMap<>();
    /** Receivers a pack's triggers.yaml may name, by name. */
    private final Map<String, String> named = new LinkedHashMap<>();
    private final byte[] secret;
    private final int maxAttempts;
    private final long backoffMillis;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final java.util.concurrent.ScheduledExecutorService scheduler;
    private final Counter delivered;
    private final Counter failed;
    private final Counter dead;

    public TriggerDispatcher(TriggerStore store, @KafkaClient("kairos-triggers-dead") Producer<String, byte[]> producer, FeedbackTopics topics,
                             MeterRegistry meters,
                             @Value("${kairos.feedback.triggers.enabled:true}") boolean enabled,
                             @Value("${kairos.feedback.triggers.webhook-url:}") String url,
                             @Value("${kairos.feedback.triggers.webhook-url-email:}") String emailUrl,
                             @Value("${kairos.feedback.triggers.webhook-url-sms:}") String smsUrl,
                             @Value("${kairos.feedback.triggers.webhook-url-push:}") String pushUrl,
                             @Value("${kairos.feedback.triggers.webhook-secret:}") String secret,
                             @Value("${kairos.feedback.triggers.receivers:}") String receivers,
                             @Value("${kairos.feedback.triggers.max-attempts:6}") int maxAttempts,
                             @Value("${kairos.feedback.triggers.backoff:2s}") Duration backoff,
                             @Value("${kairos.feedback.triggers.poll:1s}") Duration poll) {
        this.store = store;
        this.producer = producer;
        this.deadTopic = topics.triggersDead();
        this.secret = secret == null || secret.isBlank() ? null : secret.getBytes(StandardCharsets.UTF_8);
        this.maxAttempts = Math.max(1, maxAttempts);
        this.backoffMillis = Math.max(1, backoff.toMillis());
        Map<String, String> perChannel = Map.of("email", emailUrl, "sms", smsUrl, "push", pushUrl);
        for (String channel : List.of("email", "sms", "push")) {
            String u = perChannel.get(channel) == null || perChannel.get(channel).isBlank() ? url : perChannel.get(channel);
            if (u != null && !u.isBlank()) urls.put(channel, u.strip());
        }
        for (String part : receivers == null ? new String[0] : receivers.split(",")) {
            if (part.isBlank()) continue;
            int eq = part.indexOf('=');
            if (eq <= 0 || !part.substring(eq + 1).strip().matches("https?://\\S+")) {
                throw new IllegalArgumentException("kairos.feedback.triggers.receivers: '" + part.strip() + "' is not name=http(s)://url");
            }
            named.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
        }
        this.delivered = Counter.builder("kairos.triggers.delivered").description("Trigger webhooks the receiver accepted").register(meters);
        this.failed = Counter.builder("kairos.triggers.failed").description("Trigger webhook attempts that failed").register(meters);
        this.dead = Counter.builder("kairos.triggers.dead").description("Triggers given up (dead-letter topic)").register(meters);
        if (!enabled || urls.isEmpty() && named.isEmpty()) {
            LOG.info("trigger delivery {}: triggers stay pending", enabled ? "has no webhook URL (KAIROS_TRIGGER_WEBHOOK_URL)" : "is off");
            this.scheduler = null;
            return;
        }
        if (this.secret == null) LOG.warn("trigger webhooks are not signed: set KAIROS_TRIGGER_WEBHOOK_SECRET");
        this.scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kairos-triggers");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::dispatchQuietly, poll.toMillis(), Math.max(10, poll.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** The channels with a default receiver. */
    public java.util.Set<String> channels() {
        return urls.keySet();
    }

    /** The receivers a pack may name. */
    public java.util.Set<String> receivers() {
        return named.keySet();
    }

    private String urlOf(String channel, String receiver) {
        return receiver == null ? urls.get(channel) : named.get(receiver);
    }

    private void dispatchQuietly() {
        try {
            while (dispatchOnce() == BATCH) {
                // a full batch: more may be due
            }
        } catch (RuntimeException e) {
            LOG.warn("trigger delivery round failed: {}", e.toString());
        }
    }

    /** Sends what is due now; returns how many were claimed. */
    int dispatchOnce() {
        List<TriggerStore.Claimed> due = store.claimDue(System.currentTimeMillis(), BATCH, CLAIM_MILLIS, urls.keySet(), named.keySet());
        for (TriggerStore.Claimed d : due) send(d);
        return due.size();
    }

    private void send(TriggerStore.Claimed d) {
        int attempt = d.attempts() + 1;
        byte[] body = d.payload().getBytes(StandardCharsets.UTF_8);
        int status = 0;
        String error;
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(urlOf(d.channel(), d.receiver()))).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json").header("Idempotency-Key", d.idempotencyKey())
                    .header("X-Kairos-Attempt", String.valueOf(attempt)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (secret != null) b.header("X-Kairos-Signature", Webhook.signature(secret, body));
            status = http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            long now = System.currentTimeMillis();
            if (status >= 200 && status < 300) {
                store.delivered(d.idempotencyKey(), attempt, status, now);
                delivered.increment();
                return;
            }
            if (status == 410) {
                store.optOut(d.userKey(), d.channel(), "receiver 410", now);
                store.skipped(d.idempotencyKey(), attempt, status, "the receiver answered 410 Gone: user opted out of " + d.channel());
                return;
            }
            error = "HTTP " + status;
            if (status >= 400 && status < 500 && status != 408 && status != 429) {
                giveUp(d, attempt, status, "refused by the receiver: " + error);
                return;
            }
        } catch (IOException e) {
            error = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        failed.increment();
        if (attempt >= maxAttempts) {
            giveUp(d, attempt, status, "gave up after " + attempt + " attempts: " + error);
        } else {
            long wait = backoffMillis << Math.min(20, attempt - 1);
            store.retry(d.idempotencyKey(), attempt, status, "attempt " + attempt + " failed: " + error, System.currentTimeMillis() + wait);
        }
    }

    private void giveUp(TriggerStore.Claimed d, int attempt, int status, String detail) {
        // the dead-letter record first: if it cannot be written, the delivery stays pending and is tried again
        String record = "{\"idempotencyKey\":\"" + d.idempotencyKey() + "\",\"attempts\":" + attempt + ",\"lastStatus\":" + status
                + ",\"error\":" + quote(detail) + ",\"trigger\":" + d.payload() + "}";
        try {
            producer.send(new ProducerRecord<>(deadTopic, d.userKey(), record.getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("trigger {} could not be written to the dead-letter topic {} ({}); retrying later", d.idempotencyKey(), deadTopic, e.toString());
            store.retry(d.idempotencyKey(), attempt - 1, status, detail + "; dead-letter topic unavailable", System.currentTimeMillis() + backoffMillis);
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return;
        }
        store.dead(d.idempotencyKey(), attempt, status, detail);
        dead.increment();
        LOG.warn("trigger {} ({}) is dead: {}", d.idempotencyKey(), d.channel(), detail);
    }

    private static String quote(String s) {
        return com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s) == null ? "null"
                : "\"" + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    @PreDestroy
    void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
