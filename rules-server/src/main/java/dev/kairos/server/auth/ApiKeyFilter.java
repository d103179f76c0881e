package dev.kairos.server.auth;

import dev.kairos.server.api.ErrorBody;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Every {@code /v1} request needs {@code Authorization: Bearer <key>}: the admin key under
 * {@code /v1/rules}, an app write key elsewhere (the admin key is accepted there too, for
 * operators' checks). A missing or unknown key is a 401; the key itself is never echoed or logged.
 */
@ServerFilter("/v1/**")
public final class ApiKeyFilter {
    private final ApiKeys keys;

    public ApiKeyFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @RequestFilter
    @Nullable
    public HttpResponse<?> authenticate(HttpRequest<?> request) {
        String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        String key = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
        boolean admin = isAdminPath(request.getPath());
        if (key == null || key.isEmpty()) {
            return unauthorized("missing_key", "send 'Authorization: Bearer <" + (admin ? "admin key" : "app write key") + ">'");
        }
        boolean ok = admin ? keys.isAdminKey(key) : keys.isWriteKey(key) || keys.isAdminKey(key);
        return ok ? null : unauthorized("invalid_key", admin ? "this endpoint needs the admin key" : "unknown app write key");
    }

    static boolean isAdminPath(String path) {
        return path.startsWith("/v1/rules") || path.startsWith("/v1/weights");
    }

    private static HttpResponse<?> unauthorized(String code, String message) {
        return HttpResponse.status(HttpStatus.UNAUTHORIZED).contentType(MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .body(ErrorBody.of(code, message, "Authorization", null));
    }
}
