package dev.kairos.feedback.rules;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.Operation;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * {@code GET /v1/rules-routing} (admin key or marketer account): which rules versions serve now and
 * the log of routing changes, exactly as rules-server has them (see {@link RulesServerClient}),
 * including the automatic roll backs of its circuit breaker with their reason. When rules-server is
 * not configured or not reachable the answer is still 200, with {@code available: false} and the
 * {@code reason}.
 */
@Tag(name = "Rules", description = "What serves now (docs/api.md#get-v1rules-routing)")
@Controller("/v1/rules-routing")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RoutingController {
    private final RulesServerClient rulesServer;

    public RoutingController(RulesServerClient rulesServer) {
        this.rulesServer = rulesServer;
    }

    /** The answer: {@code routing} is null when {@code available} is false. */
    public record Report(boolean available, String reason, RulesServerClient.Routing routing) {}

    @Operation(summary = "What serves now, and the circuit breaker's roll backs")
    @Get(produces = MediaType.APPLICATION_JSON)
    public Report routing() {
        RulesServerClient.KnownRules known = rulesServer.knownRules();
        return new Report(known.available(), known.reason(), known.routing());
    }
}
