package dev.kairos.server.ingest;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.Operation;
import dev.kairos.service.api.ApiException;
import dev.kairos.service.api.ErrorBody;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPInputStream;

/**
 * {@code POST /v1/events} and {@code POST /v1/outcomes} (app write key; {@code Content-Encoding: gzip}
 * accepted). Answers {@code {"accepted": n, "duplicates": d, "rejected": [{"index", "code", "message", "field"}]}}
 * once Kafka has acknowledged every accepted item; 400 when nothing in the batch was valid; 503
 * with {@code Retry-After} when Kafka could not take the batch (nothing was accepted: retry it).
 * Thin: decompresses and hands the bytes to {@link IngestService}, which reads them once, as a stream. Runs on ingest's
 * own fixed pool ({@link IngestService#EXECUTOR}), off the event loop: a producer may block for metadata or buffer
 * space when Kafka is slow, and must not stall the event loop that serves {@code /v1/decide}.
 */
@Tag(name = "Ingest", description = "Event and outcome batches from the apps (docs/api.md#post-v1events)")
@Controller("/v1")
@io.micronaut.scheduling.annotation.ExecuteOn(IngestService.EXECUTOR)
public class IngestController {
    private static final Logger LOG = LoggerFactory.getLogger(IngestController.class);
    private final IngestService service;
    /** Largest body after gzip decompression: the same limit as every body ({@code KAIROS_MAX_BODY_BYTES}). */
    private final long maxInflatedBytes;

    public IngestController(IngestService service,
                            @io.micronaut.context.annotation.Value("${micronaut.server.max-request-size:1048576}") long maxBodyBytes) {
        this.service = service;
        this.maxInflatedBytes = maxBodyBytes;
    }

    @Operation(summary = "Ingest a batch of events (up to 500); the good part of a batch is kept")
    @Post(uri = "/events", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public CompletableFuture<HttpResponse<?>> events(HttpRequest<?> request, @Nullable @Body byte[] body) throws IOException {
        return answer(service.events(parse(request, body)));
    }

    @Operation(summary = "Ingest a batch of outcomes (impression, click, dismiss, conversion)")
    @Post(uri = "/outcomes", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public CompletableFuture<HttpResponse<?>> outcomes(HttpRequest<?> request, @Nullable @Body byte[] body) throws IOException {
        return answer(service.outcomes(parse(request, body)));
    }

    /** The body as JSON bytes, inflated if gzip; the service reads it once, as a stream. */
    private byte[] parse(HttpRequest<?> request, byte[] body) {
        String encoding = request.getHeaders().get(HttpHeaders.CONTENT_ENCODING);
        boolean gzip = encoding != null && encoding.toLowerCase(java.util.Locale.ROOT).contains("gzip");
        if (body == null || body.length == 0) throw ApiException.badRequest("missing_body", "send {\"batch\": [...]} as JSON", null);
        // The HTTP layer does not inflate (request-decompression-enabled: false): this does, within the body limit.
        return gzip ? gunzip(body, maxInflatedBytes) : body;
    }

    private static ApiException invalidEncoding() {
        return ApiException.badRequest("invalid_encoding", "Content-Encoding is gzip but the body is not valid gzip", null);
    }

    static byte[] gunzip(byte[] gz, long maxInflatedBytes) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(gz.length * 4);
            byte[] buf = new byte[16384];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (out.size() > maxInflatedBytes) {
                    throw new ApiException(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                            "the body inflates to more than " + maxInflatedBytes + " bytes", null, null);
                }
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw invalidEncoding();
        }
    }

    private static CompletableFuture<HttpResponse<?>> answer(CompletableFuture<IngestService.Result> result) {
        return result.<HttpResponse<?>>thenApply(r -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("accepted", r.accepted());
            body.put("duplicates", r.duplicates());
            body.put("rejected", r.rejected().stream().map(IngestController::rejection).toList());
            if (r.accepted() + r.duplicates() == 0 && !r.rejected().isEmpty()) {
                Map<String, Object> err = ErrorBody.of("invalid_batch", "no item of the batch was valid", "batch", body);
                return HttpResponse.badRequest(err);
            }
            return HttpResponse.ok(body);
        }).exceptionally(e -> {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            // While Kafka is known to be away, the broker probe has said so once; do not log every batch.
            if (!(cause instanceof IngestService.KafkaUnavailableException)) LOG.warn("could not hand a batch to Kafka: {}", cause.toString());
            return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "5")
                    .body(ErrorBody.of("unavailable", "the batch could not be stored right now; retry it (items already stored are de-duplicated by id)", null, null));
        });
    }

    private static Map<String, Object> rejection(BatchReader.Rejection r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", r.index());
        m.put("code", r.code());
        m.put("message", r.message());
        m.put("field", r.field());
        return m;
    }

}
