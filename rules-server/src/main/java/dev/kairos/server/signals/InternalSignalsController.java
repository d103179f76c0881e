package dev.kairos.server.signals;

import io.swagger.v3.oas.annotations.Hidden;
import dev.kairos.service.api.ApiException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;

import java.util.Optional;

/**
 * {@code GET /internal/signals/{userKey}?partition=P&stale=false} (admin key): this instance's copy
 * of a user's state, for another instance's decide in partitioned mode ({@link SignalsView}). 200
 * with the state (the signal engine's JSON), 404 when the user is unknown in that partition here,
 * 503 {@code not_hosted} when this instance holds no readable copy of the partition (not its
 * owner, or the partition is migrating), so the caller tries the next copy. Instances only; not
 * part of the public API (hidden from the OpenAPI document).
 */
@Hidden
@Controller("/internal/signals")
public class InternalSignalsController {
    private final SignalsView view;

    public InternalSignalsController(SignalsView view) {
        this.view = view;
    }

    @Get(uri = "/{userKey}", produces = MediaType.APPLICATION_OCTET_STREAM)
    public HttpResponse<byte[]> state(@PathVariable String userKey, @QueryValue int partition,
                                      @Nullable @QueryValue Boolean stale) {
        if (partition < 0) throw ApiException.badRequest("out_of_range", "partition must be 0 or more", "partition");
        Optional<UserState> state;
        try {
            state = view.hosted(userKey, partition, Boolean.TRUE.equals(stale));
        } catch (SignalsView.NotHostedException e) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "not_hosted", e.getMessage(), null, null);
        }
        return state.map(s -> HttpResponse.ok(UserStateSerde.write(s)))
                .orElseThrow(() -> ApiException.notFound("no signals for user '" + userKey + "' in partition " + partition + " here"));
    }
}
