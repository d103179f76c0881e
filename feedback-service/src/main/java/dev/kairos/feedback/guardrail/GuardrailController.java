package dev.kairos.feedback.guardrail;

import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * {@code GET /v1/guardrails} (admin key or marketer account): the last check of the running
 * canary's guardrails; {@code POST /v1/guardrails/check} (admin key): checks now.
 */
@Tag(name = "Guardrails", description = "Canary guardrails (docs/api.md#get-v1guardrails)")
@Controller("/v1/guardrails")
@ExecuteOn(TaskExecutors.BLOCKING)
public class GuardrailController {
    private final GuardrailMonitor monitor;

    public GuardrailController(GuardrailMonitor monitor) {
        this.monitor = monitor;
    }

    @Operation(summary = "The last check of the canary's guardrails")
    @Get(produces = MediaType.APPLICATION_JSON)
    public GuardrailMonitor.Report last() {
        return monitor.last();
    }

    @Operation(summary = "Check the canary's guardrails now (rolls it back when one is breached)")
    @Post(uri = "/check", produces = MediaType.APPLICATION_JSON)
    public GuardrailMonitor.Report check() {
        return monitor.check();
    }
}
