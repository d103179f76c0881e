package dev.kairos.server.decide;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.service.api.ApiException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;

import java.io.IOException;

/**
 * {@code POST /v1/decide} (app write key). Thin: parses JSON, delegates to {@link DecisionService},
 * writes the answer. Runs on the event loop: evaluation is in memory and never blocks.
 */
@Controller("/v1/decide")
public class DecideController {
    private final DecisionService service;
    private final ObjectMapper json;

    public DecideController(DecisionService service, ObjectMapper json) {
        this.service = service;
        this.json = json;
    }

    @Post(consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<byte[]> decide(@Nullable @Body byte[] body) throws IOException {
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("missing_body", "send the decide request as a JSON object", null);
        }
        JsonNode node = json.readTree(body);
        return HttpResponse.ok(DecisionJson.write(service.decide(node))).contentType(MediaType.APPLICATION_JSON_TYPE);
    }
}
