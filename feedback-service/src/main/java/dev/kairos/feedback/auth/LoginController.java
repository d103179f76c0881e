package dev.kairos.feedback.auth;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.Operation;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.service.api.ApiException;
import dev.kairos.service.api.ErrorBody;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * {@code POST /v1/login} {@code {"username": ..., "password": ...}} (no key needed): signs a marketer
 * in and answers {@code {"token": "mk_…", "role": "marketer", "username": ..., "expiresAt": ...}};
 * the token then goes in {@code Authorization: Bearer} like the admin key, for read-only access.
 * A wrong user name or password is a 401 {@code invalid_credentials}, the same for both. Too many
 * failures for the account or from the client address (see {@link LoginPolicy}) make every attempt
 * a 429 {@code too_many_attempts} with {@code Retry-After} (seconds) and {@code retryAfterSeconds}
 * until the lock-out ends, whatever the password. {@code POST /v1/logout} ends the session of the
 * token it is sent with. Thin: the work is {@link MarketerAccounts}'.
 */
@Tag(name = "Sign-in", description = "Marketer sessions for the dashboard (docs/api.md#post-v1login-and-post-v1logout)")
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
public class LoginController {
    private final MarketerAccounts accounts;

    public LoginController(MarketerAccounts accounts) {
        this.accounts = accounts;
    }

    @Operation(summary = "Sign a marketer in: a read-only session token")
    @Post(uri = "/login", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> login(HttpRequest<?> request, @Nullable @Body JsonNode body) {
        String username = body != null && body.path("username").isTextual() ? body.get("username").asText() : null;
        String password = body != null && body.path("password").isTextual() ? body.get("password").asText() : null;
        if (username == null || username.isBlank()) throw ApiException.badRequest("missing_field", "username is required", "username");
        if (password == null || password.isEmpty()) throw ApiException.badRequest("missing_field", "password is required", "password");
        if (username.length() > 128 || password.length() > 1024) {
            throw ApiException.badRequest("too_long", "username or password too long", "password");
        }
        String user = username.strip();
        InetSocketAddress remote = request.getRemoteAddress();
        String address = remote != null && remote.getAddress() != null ? remote.getAddress().getHostAddress() : null;
        try {
            return accounts.login(user, password, address)
                    .<HttpResponse<?>>map(in -> HttpResponse.ok(Map.of("token", in.token(), "role", "marketer", "username", user,
                            "expiresAt", in.session().expiresAt().toString())))
                    .orElseGet(() -> HttpResponse.status(HttpStatus.UNAUTHORIZED).contentType(MediaType.APPLICATION_JSON_TYPE)
                            .body(ErrorBody.of("invalid_credentials", "unknown user name or wrong password", "password", null)));
        } catch (MarketerAccounts.LockedOut e) {
            long seconds = Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
            return HttpResponse.status(HttpStatus.TOO_MANY_REQUESTS).contentType(MediaType.APPLICATION_JSON_TYPE)
                    .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                    .body(ErrorBody.of("too_many_attempts", "too many failed sign-ins; try again in " + seconds + " s", "username",
                            Map.of("retryAfterSeconds", seconds)));
        }
    }

    @Operation(summary = "End a marketer session")
    @Post(uri = "/logout")
    public HttpResponse<?> logout(@Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization) {
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) accounts.logout(authorization.substring(7).strip());
        return HttpResponse.noContent();
    }
}
