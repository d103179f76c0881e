package dev.kairos.server.signals;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.Operation;
import dev.kairos.rules.Signals;
import dev.kairos.rules.input.StoredUser;
import dev.kairos.service.api.ApiException;
import dev.kairos.server.decide.CurrentWeights;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/users/{userKey}/signals} (admin key): what the signal engine knows of a user right
 * now, as the rules would see it: the signals (with the intent score under the current weights),
 * the profile, how many events were counted, and the anonymous ids merged in. For operators and
 * marketers checking why a rule fired, and for tests. In partitioned mode any instance answers,
 * asking the one that holds the user; 503 when no copy of the user's state could be reached.
 */
@Tag(name = "Users", description = "What the signal engine knows of a user (docs/api.md#get-v1usersuserkeysignals)")
@Controller("/v1/users")
public class SignalsController {
    private final SignalsView view;
    private final SignalRules rules;
    private final CurrentWeights weights;

    public SignalsController(SignalsView view, SignalConfig config, CurrentWeights weights) {
        this.view = view;
        this.rules = new SignalRules(config);
        this.weights = weights;
    }

    @Operation(summary = "A user's signals and profile as the rules would see them")
    @Get("/{userKey}/signals")
    public CompletableFuture<Map<String, Object>> signals(@PathVariable String userKey) {
        return view.lookup(userKey).thenApply(lookup -> {
            if (lookup.source() == SignalsView.Source.UNAVAILABLE) {
                throw ApiException.unavailable("the instance holding user '" + userKey + "' did not answer; try again shortly");
            }
            if (lookup.state() == null) throw ApiException.notFound("no signals for user '" + userKey + "' (yet)");
            Map<String, Object> out = describe(lookup.state());
            out.put("source", lookup.source().name().toLowerCase(java.util.Locale.ROOT));
            out.put("heldBy", lookup.heldBy());
            out.put("owner", view.owner(userKey).orElse(null));
            return out;
        });
    }

    private Map<String, Object> describe(UserState state) {
        StoredUser stored = rules.toStored(state, Instant.now());
        Signals signals = stored.signals().build(weights.get());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("userKey", state.userKey);
        out.put("events", state.events);
        out.put("aliases", state.aliases);
        out.put("sessions", state.sessions);
        out.put("sessionSeconds", stored.sessionSeconds());
        out.put("weightsVersion", weights.get().getVersion());
        out.put("signals", signals);
        out.put("profile", stored.profile());
        return out;
    }
}
