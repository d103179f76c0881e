package dev.kairos.feedback.erasure;

import dev.kairos.feedback.store.FeedbackStore;
import dev.kairos.service.api.ApiException;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /v1/erasures/{requestId}} (admin key): whether the feedback store has carried out an
 * erasure that rules-server accepted ({@code DELETE /v1/users/{userKey}} answered the request id),
 * and how many rows it deleted. 404 until it has.
 */
@Tag(name = "Erasures", description = "Right to erasure (docs/api.md#delete-v1usersuserkey)")
@Controller("/v1/erasures")
public class ErasureController {
    private final FeedbackStore store;

    public ErasureController(FeedbackStore store) {
        this.store = store;
    }

    @Operation(summary = "Whether an erasure request was carried out in the feedback store")
    @Get("/{requestId}")
    @ExecuteOn(TaskExecutors.BLOCKING)
    public Map<String, Object> erasure(@PathVariable String requestId) {
        FeedbackStore.Erasure e = store.erasure(requestId)
                .orElseThrow(() -> ApiException.notFound("erasure '" + requestId + "' is not carried out in the feedback store (yet)"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requestId", e.requestId());
        out.put("status", "done");
        out.put("erasedAt", Instant.ofEpochMilli(e.erasedAt()).toString());
        out.put("keys", e.keys());
        out.put("rowsDeleted", e.rowsDeleted());
        return out;
    }
}
