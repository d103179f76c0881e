package dev.kairos.feedback.guardrail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

/**
 * Tells a configured URL ({@code kairos.feedback.guardrails.webhook-url},
 * {@code KAIROS_GUARDRAIL_WEBHOOK_URL}) that a guardrail rolled a canary back: a JSON POST with an
 * {@code Idempotency-Key} (the same for every attempt of one event) and, with a secret
 * ({@code KAIROS_GUARDRAIL_WEBHOOK_SECRET}), {@code X-Kairos-Signature: sha256=<hex HMAC-SHA256 of
 * the body>}. Up to 4 attempts, 1, 2 and 4 s apart, on a connection failure or a 5xx; a 4xx is
 * final. Sent from a background thread: the guardrail check never waits for it.
 */
@Singleton
public class Webhook {
    private static final Logger LOG = LoggerFactory.getLogger(Webhook.class);
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
    static final int ATTEMPTS = 4;

    private final String url;
    private final byte[] secret;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final long backoffMillis;

    public Webhook(@Value("${kairos.feedback.guardrails.webhook-url:}") String url,
                   @Value("${kairos.feedback.guardrails.webhook-secret:}") String secret,
                   @Value("${kairos.feedback.guardrails.webhook-backoff:1s}") Duration backoff) {
        this.url = url == null ? "" : url.strip();
        this.secret = secret == null || secret.isBlank() ? null : secret.getBytes(StandardCharsets.UTF_8);
        this.backoffMillis = backoff.toMillis();
    }

    /** Sends {@code event} with {@code idempotencyKey} in the background; does nothing without a URL. */
    public void notify(String idempotencyKey, Map<String, Object> event) {
        if (url.isEmpty()) return;
        Thread t = new Thread(() -> send(idempotencyKey, event), "kairos-guardrail-webhook");
        t.setDaemon(true);
        t.start();
    }

    /** Sends now, retrying; returns the last HTTP status (0 when the URL never answered). */
    int send(String idempotencyKey, Map<String, Object> event) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(event);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        int status = 0;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json").header("Idempotency-Key", idempotencyKey)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
                if (secret != null) b.header("X-Kairos-Signature", signature(secret, body));
                status = http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status < 500) {
                    if (status >= 300) LOG.warn("guardrail webhook answered {}; not retried", status);
                    return status;
                }
            } catch (java.io.IOException e) {
                LOG.info("guardrail webhook attempt {} failed: {}", attempt, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return status;
            }
            try {
                Thread.sleep(backoffMillis << (attempt - 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return status;
            }
        }
        LOG.warn("guardrail webhook gave up after {} attempts (last status {})", ATTEMPTS, status);
        return status;
    }

    /** {@code sha256=<hex HMAC-SHA256 of body with secret>}, the {@code X-Kairos-Signature} of every Kairos webhook. */
    public static String signature(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
