package dev.kairos.server.learn;

import dev.kairos.rules.learn.Bandit;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /v1/models} (admin key): the learned models this instance decides with, by version: the
 * bandit's per choice point, the conversion and churn predictors and the segments. Every instance
 * reads the same compacted topic, so all answer the same once they have caught up: what an operator
 * checks after a refit, or across instances.
 */
@Tag(name = "Learning", description = "The learned models in use on this instance (docs/api.md#get-v1models)")
@Controller("/v1/models")
public class ModelsController {
    private final BanditModels bandit;
    private final LearnedModels learned;

    public ModelsController(BanditModels bandit, LearnedModels learned) {
        this.bandit = bandit;
        this.learned = learned;
    }

    @Operation(summary = "The learned models this instance uses, by version")
    @Get(produces = MediaType.APPLICATION_JSON)
    public Map<String, Object> models() {
        Map<String, String> points = new TreeMap<>();
        for (Map.Entry<String, Bandit.Model> e : bandit.models().entrySet()) points.put(e.getKey(), e.getValue().version());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("choicePoints", points);
        out.putAll(learned.versions());
        return out;
    }
}
