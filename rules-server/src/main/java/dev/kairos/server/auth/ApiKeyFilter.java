package dev.kairos.server.auth;

import dev.kairos.service.api.ErrorBody;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Every request except {@code /health} and {@code /prometheus} needs {@code Authorization: Bearer <key>}:
 * the admin key under {@code /v1/rules}, {@code /v1/base}, {@code /v1/weights}, {@code /v1/users}, {@code /v1/experiments}, {@code /v1/models} and {@code /internal} (instance to instance), an app write key elsewhere (the
 * admin key is accepted there too, for operators' checks). The path is judged after decoding
 * percent-escapes and collapsing repeated slashes, so no spelling of an admin path gets past with
 * a write key. A missing or unknown key is a 401; the key itself is never echoed or logged.
 */
@ServerFilter("/**")
public final class ApiKeyFilter implements io.micronaut.core.order.Ordered {
    /** Where this filter runs among the server's filters (lower first); filters that need an authenticated caller run after it. */
    public static final int ORDER = 0;
    private static final java.util.Set<String> PUBLIC = java.util.Set.of("/health", "/prometheus", "/openapi.yml", "/openapi");

    private final ApiKeys keys;

    public ApiKeyFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @RequestFilter
    @Nullable
    public HttpResponse<?> authenticate(HttpRequest<?> request) {
        String path = normalize(request.getPath());
        if (PUBLIC.contains(path) || (path.startsWith("/health/") || path.startsWith("/swagger-ui/")) && !path.contains("/.")) return null;
        String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        String key = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
        boolean admin = isAdminPath(path);
        if (key == null || key.isEmpty()) {
            return unauthorized("missing_key", "send 'Authorization: Bearer <" + (admin ? "admin key" : "app write key") + ">'");
        }
        boolean ok = admin ? keys.isAdminKey(key) : keys.isWriteKey(key) || keys.isAdminKey(key);
        return ok ? null : unauthorized("invalid_key", admin ? "this endpoint needs the admin key" : "unknown app write key");
    }

    static boolean isAdminPath(String path) {
        String p = path.toLowerCase(java.util.Locale.ROOT);
        return p.startsWith("/v1/rules") || p.startsWith("/v1/base") || p.startsWith("/v1/weights") || p.startsWith("/v1/users") || p.startsWith("/v1/experiments")
                || p.startsWith("/v1/models") || p.startsWith("/internal");
    }

    /** Decodes percent-escapes (repeatedly) and collapses repeated slashes. */
    public static String normalize(String raw) {
        String p = raw;
        for (int i = 0; i < 3 && p.indexOf('%') >= 0; i++) {
            try {
                p = java.net.URLDecoder.decode(p.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                break;
            }
        }
        // Most paths have no repeated slash: answered as they are, without a regex (compiled per call by replaceAll) on every request.
        return p.contains("//") ? SLASHES.matcher(p).replaceAll("/") : p;
    }

    private static final java.util.regex.Pattern SLASHES = java.util.regex.Pattern.compile("/{2,}");

    private static HttpResponse<?> unauthorized(String code, String message) {
        return HttpResponse.status(HttpStatus.UNAUTHORIZED).contentType(MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .body(ErrorBody.of(code, message, "Authorization", null));
    }
}
