package dev.kairos.feedback.learn;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.util.Map;

/**
 * The bandit behind {@code choose(...)}: {@code GET /v1/bandit} shows the models this instance last
 * published, {@code POST /v1/bandit/refit} (admin key) refits and publishes them now.
 */
@Tag(name = "Learning", description = "The contextual bandit's models (docs/api.md#get-v1bandit-and-post-v1banditrefit)")
@Controller("/v1/bandit")
@ExecuteOn(TaskExecutors.BLOCKING)
public class BanditController {
    private final BanditLearner learner;

    public BanditController(BanditLearner learner) {
        this.learner = learner;
    }

    @Operation(summary = "The bandit models last published, by choice point")
    @Get(produces = MediaType.APPLICATION_JSON)
    public Map<String, JsonNode> models() {
        return learner.published();
    }

    @Operation(summary = "Refit the bandit models from the logged choices and outcomes, and publish them")
    @Post(uri = "/refit", produces = MediaType.APPLICATION_JSON)
    public Map<String, JsonNode> refit() {
        return learner.refit();
    }
}
