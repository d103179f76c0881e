package dev.kairos.server.base;

import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * The Tier-1 base layer (admin key): {@code GET /v1/base} shows its sources and the items decisions
 * get; {@code POST /v1/base/refresh} reads the feed and the popular items now instead of at the
 * next scheduled refresh (e.g. right after publishing a new feed).
 */
@Tag(name = "Base layer", description = "The Tier-1 base layer: feed and popular items (docs/api.md#the-tier-1-base-layer)")
@Controller("/v1/base")
@ExecuteOn(TaskExecutors.BLOCKING)
public class BaseController {
    private final BaseLayerSource source;

    public BaseController(BaseLayerSource source) {
        this.source = source;
    }

    @Operation(summary = "The base layer's sources and items")
    @Get(produces = MediaType.APPLICATION_JSON)
    public BaseLayerSource.Status status() {
        return source.status();
    }

    @Operation(summary = "Read the feed and the popular items now")
    @Post(uri = "/refresh", produces = MediaType.APPLICATION_JSON)
    public BaseLayerSource.Status refresh() {
        return source.refresh();
    }
}
