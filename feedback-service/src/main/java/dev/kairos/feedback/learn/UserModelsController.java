package dev.kairos.feedback.learn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.service.api.ApiException;
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
 * The learned user models (admin key): {@code GET /v1/predictors} lists every version fitted and the
 * ones in use, {@code POST /v1/predictors/refit} refits them now, {@code GET /v1/segments} shows the
 * learned segments in use (ids, labels, sizes, centroids).
 */
@Tag(name = "Learning", description = "Learned predictive signals and ML segments (docs/api.md#learned-user-models)")
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
public class UserModelsController {
    private final UserModelLearner learner;

    public UserModelsController(UserModelLearner learner) {
        this.learner = learner;
    }

    @Operation(summary = "Learned conversion and churn predictors and segments: every version fitted, and the ones in use")
    @Get(uri = "/v1/predictors", produces = MediaType.APPLICATION_JSON)
    public Map<String, Object> predictors() {
        return learner.overview();
    }

    @Operation(summary = "Refit the conversion and churn predictors and the segments from the logged decisions, and publish what passes")
    @Post(uri = "/v1/predictors/refit", produces = MediaType.APPLICATION_JSON)
    public Map<String, UserModelLearner.Result> refit() {
        return learner.refit();
    }

    @Operation(summary = "The learned segments in use")
    @Get(uri = "/v1/segments", produces = MediaType.APPLICATION_JSON)
    public JsonNode segments() {
        return learner.segments().orElseThrow(() -> ApiException.notFound("no segments learned yet"));
    }
}
