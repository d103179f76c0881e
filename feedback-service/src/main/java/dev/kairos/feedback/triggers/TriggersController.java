package dev.kairos.feedback.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.service.api.ApiException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cross-channel triggers (admin key; per-user data, so marketer accounts get 403):
 * {@code GET /v1/triggers} lists deliveries and counts, {@code GET/PUT /v1/opt-outs/{userKey}}
 * reads and sets a user's opt-outs, {@code DELETE /v1/opt-outs/{userKey}/{channel}} opts back in.
 */
@Tag(name = "Triggers", description = "Cross-channel trigger deliveries and opt-outs (docs/api.md#cross-channel-triggers)")
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
public class TriggersController {
    static final Set<String> CHANNELS = Set.of("email", "sms", "push", "all");
    static final Set<String> STATUSES = Set.of("pending", "delivered", "skipped", "dead");

    private final TriggerStore store;
    private final TriggerDispatcher dispatcher;

    public TriggersController(TriggerStore store, TriggerDispatcher dispatcher) {
        this.store = store;
        this.dispatcher = dispatcher;
    }

    /** Deliveries, newest first, with the counts per status and the channels that have a receiver. */
    public record Deliveries(Map<String, Long> counts, List<String> channels, List<String> receivers, List<TriggerStore.Delivery> deliveries) {}

    /** A user's opt-outs: channel to when and how. */
    public record OptOuts(String userKey, Map<String, String> optOuts) {}

    @Operation(summary = "Trigger deliveries (newest first) and counts per status")
    @Get(uri = "/triggers", produces = MediaType.APPLICATION_JSON)
    public Deliveries deliveries(@Nullable @QueryValue String userKey, @Nullable @QueryValue String status, @Nullable @QueryValue Integer limit) {
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > 1000) throw ApiException.badRequest("invalid_parameter", "limit must be between 1 and 1000", "limit");
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.badRequest("invalid_parameter", "status must be one of " + new java.util.TreeSet<>(STATUSES), "status");
        }
        return new Deliveries(store.counts(), new ArrayList<>(dispatcher.channels()), new ArrayList<>(dispatcher.receivers()),
                store.deliveries(userKey, status, n));
    }

    @Operation(summary = "A user's opt-outs")
    @Get(uri = "/opt-outs/{userKey}", produces = MediaType.APPLICATION_JSON)
    public OptOuts optOuts(String userKey) {
        return new OptOuts(userKey, store.optOuts(userKey));
    }

    @Operation(summary = "Opt a user out of channels: {\"channels\": [\"email\"]} (\"all\" for every channel)")
    @Put(uri = "/opt-outs/{userKey}", produces = MediaType.APPLICATION_JSON)
    public OptOuts optOut(String userKey, @Body JsonNode body) {
        if (userKey.isBlank() || userKey.length() > 256) throw ApiException.badRequest("invalid_parameter", "userKey must be 1-256 characters", "userKey");
        if (body == null || !body.isObject()) throw ApiException.badRequest("invalid_body", "expected {\"channels\": [\"email\", ...]}", null);
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("channels")) throw ApiException.badRequest("unknown_field", "unknown field '" + f + "'", f);
        }
        JsonNode channels = body.get("channels");
        if (channels == null || !channels.isArray() || channels.isEmpty()) {
            throw ApiException.badRequest("invalid_field", "channels must be a non-empty list of " + new java.util.TreeSet<>(CHANNELS), "channels");
        }
        List<String> wanted = new ArrayList<>();
        for (JsonNode c : channels) {
            if (!c.isTextual() || !CHANNELS.contains(c.asText())) {
                throw ApiException.badRequest("invalid_field", "channels must be a non-empty list of " + new java.util.TreeSet<>(CHANNELS), "channels");
            }
            wanted.add(c.asText());
        }
        long now = System.currentTimeMillis();
        for (String c : wanted) store.optOut(userKey, c, "api", now);
        return optOuts(userKey);
    }

    @Operation(summary = "Opt a user back in to a channel")
    @Delete(uri = "/opt-outs/{userKey}/{channel}", produces = MediaType.APPLICATION_JSON)
    public OptOuts optIn(String userKey, String channel) {
        if (!CHANNELS.contains(channel)) throw ApiException.badRequest("invalid_parameter", "channel must be one of " + new java.util.TreeSet<>(CHANNELS), "channel");
        store.optIn(userKey, channel);
        return optOuts(userKey);
    }
}
