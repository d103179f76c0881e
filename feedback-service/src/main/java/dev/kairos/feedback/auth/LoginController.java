package dev.kairos.feedback.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.feedback.api.ApiException;
import dev.kairos.feedback.api.ErrorBody;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.time.Instant;
import java.util.Map;

/**
 * {@code POST /v1/login} {@code {"username": ..., "password": ...}} (no key needed): signs a marketer
 * in and answers {@code {"token": "mk_…", "role": "marketer", "username": ..., "expiresAt": ...}};
 * the token then goes in {@code Authorization: Bearer} like the admin key, for read-only access.
 * A wrong user name or password is a 401 {@code invalid_credentials}, the same for both.
 * {@code POST /v1/logout} ends the session of the token it is sent with.
 */
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
public class LoginController {
    private final MarketerAccounts accounts;

    public LoginController(MarketerAccounts accounts) {
        this.accounts = accounts;
    }

    @Post(uri = "/login", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> login(@Nullable @Body JsonNode body) {
        String username = body != null && body.path("username").isTextual() ? body.get("username").asText() : null;
        String password = body != null && body.path("password").isTextual() ? body.get("password").asText() : null;
        if (username == null || username.isBlank()) throw ApiException.badRequest("missing_field", "username is required", "username");
        if (password == null || password.isEmpty()) throw ApiException.badRequest("missing_field", "password is required", "password");
        if (username.length() > 128 || password.length() > 1024) {
            throw ApiException.badRequest("too_long", "username or password too long", "password");
        }
        String user = username.strip();
        return accounts.login(user, password)
                .<HttpResponse<?>>map(token -> HttpResponse.ok(Map.of("token", token, "role", "marketer", "username", user,
                        "expiresAt", accounts.session(token).map(s -> s.expiresAt().toString()).orElse(Instant.now().toString()))))
                .orElseGet(() -> HttpResponse.status(HttpStatus.UNAUTHORIZED).contentType(MediaType.APPLICATION_JSON_TYPE)
                        .body(ErrorBody.of("invalid_credentials", "unknown user name or wrong password", "password", null)));
    }

    @Post(uri = "/logout")
    public HttpResponse<?> logout(@Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization) {
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) accounts.logout(authorization.substring(7).strip());
        return HttpResponse.noContent();
    }
}
