package dev.kairos.server.decide;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.Operation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.service.api.ApiException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /v1/decide} (app write key). Thin: parses JSON on the event loop, delegates to
 * {@link DecisionService} (which evaluates on its worker pool within the decide deadline) and
 * writes the answer on the thread that finished the evaluation. Never blocks the event loop.
 */
@Tag(name = "Decide", description = "Which content to show, per placement (docs/api.md#post-v1decide)")
@Controller("/v1/decide")
public class DecideController {
    private final DecisionService service;
    private final ObjectMapper json;
    private final Timer parseStage;
    private final Timer serializeStage;

    public DecideController(DecisionService service, ObjectMapper json, MeterRegistry meters) {
        this.service = service;
        this.json = json;
        this.parseStage = DecisionService.stage(meters, "parse");
        this.serializeStage = DecisionService.stage(meters, "serialize");
    }

    @Operation(summary = "Decide for a user: one adaptation per placement, with the explanation")
    @Post(consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public CompletableFuture<HttpResponse<byte[]>> decide(@Nullable @Body byte[] body) throws IOException {
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("missing_body", "send the decide request as a JSON object", null);
        }
        long start = System.nanoTime();
        JsonNode node = json.readTree(body);
        parseStage.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return service.decide(node).thenApply(decision -> {
            long t = System.nanoTime();
            byte[] out = DecisionJson.write(decision);
            serializeStage.record(System.nanoTime() - t, TimeUnit.NANOSECONDS);
            return HttpResponse.ok(out).contentType(MediaType.APPLICATION_JSON_TYPE);
        });
    }
}
