package dev.kairos.feedback.auth;

import dev.kairos.service.api.ErrorBody;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Every path but the dashboard's page and assets and {@code /health} (the API under {@code /v1},
 * {@code /metrics}, any other) needs {@code Authorization: Bearer <admin key>} ({@code KAIROS_ADMIN_KEY},
 * the same key as rules-server's; the service refuses to start without one) or a marketer session
 * token from {@code POST /v1/login} (see {@link MarketerAccounts}), which may only read: any method
 * but GET/HEAD with it (recalibrate, weights roll-back) is a 403 {@code forbidden}, except
 * {@code POST /v1/logout}, and so is reading per-user data: the replay log of per-decision facts, trigger deliveries and opt-outs ({@link #isAdminOnlyRead}). {@code POST /v1/login} itself needs no key. {@code /health} and
 * the dashboard's static page and assets are public (see {@link #isPublic}): the dashboard asks for the key and sends it
 * with every API call. A missing or wrong key is a 401 in the standard error shape; the key is
 * compared in constant time and never echoed or logged. The path is judged after decoding
 * percent-escapes and collapsing repeated slashes, so no spelling of a protected path gets past.
 * Runs on the blocking executor: a marketer token is looked up in the database.
 */
@ServerFilter("/**")
public final class AdminKeyFilter {
    private final byte[] adminKey;
    private final MarketerAccounts marketers;

    public AdminKeyFilter(@Value("${kairos.admin-key:}") String adminKey, MarketerAccounts marketers) {
        if (adminKey == null || adminKey.isBlank()) {
            throw new ConfigurationException("no admin key configured: set KAIROS_ADMIN_KEY or kairos.admin-key");
        }
        this.adminKey = adminKey.strip().getBytes(StandardCharsets.UTF_8);
        this.marketers = marketers;
    }

    @RequestFilter
    @ExecuteOn(TaskExecutors.BLOCKING)
    @Nullable
    public HttpResponse<?> authenticate(HttpRequest<?> request) {
        String path = normalize(request.getPath()).toLowerCase(Locale.ROOT);
        if (isPublic(path)) return null;
        if (path.equals("/v1/login") && request.getMethod() == HttpMethod.POST) return null;
        String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        String key = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
        if (key == null || key.isEmpty()) return unauthorized("missing_key", "send 'Authorization: Bearer <admin key>'");
        if (MessageDigest.isEqual(adminKey, key.getBytes(StandardCharsets.UTF_8))) return null;
        if (marketers.session(key).isPresent()) {
            HttpMethod m = request.getMethod();
            if (isAdminOnlyRead(path)) {
                return HttpResponse.status(HttpStatus.FORBIDDEN).contentType(MediaType.APPLICATION_JSON_TYPE)
                        .body(ErrorBody.of("forbidden", "this holds per-user data (the replay log's facts, trigger deliveries, opt-outs); it needs the admin key",
                                "Authorization", null));
            }
            if (m == HttpMethod.GET || m == HttpMethod.HEAD || path.equals("/v1/logout")) return null;
            return HttpResponse.status(HttpStatus.FORBIDDEN).contentType(MediaType.APPLICATION_JSON_TYPE)
                    .body(ErrorBody.of("forbidden", "marketer accounts are read-only; this needs the admin key", "Authorization", null));
        }
        return unauthorized("invalid_key", "this endpoint needs the admin key or a marketer session");
    }

    /**
     * What anyone may fetch: the dashboard page and its assets (it asks for the key itself),
     * {@code /health}, and the API description ({@code /openapi.yml}, its page under {@code /swagger-ui/}). Everything else, {@code /metrics} and unknown paths included, needs a key.
     */
    static boolean isPublic(String path) {
        if (path.contains("/.")) return false;
        return path.equals("/") || path.equals("/health") || path.startsWith("/health/") || path.startsWith("/dashboard/")
                || path.equals("/favicon.ico") || path.equals("/openapi.yml") || path.equals("/openapi") || path.startsWith("/swagger-ui/");
    }

    /**
     * Reads a marketer account may not make: the replay log ({@code /v1/replay-log}), which holds
     * every recorded decision's facts, down to location and session, rather than aggregates.
     */
    static boolean isAdminOnlyRead(String path) {
        return path.equals("/v1/replay-log") || path.startsWith("/v1/replay-log/") || path.equals("/v1/triggers") || path.startsWith("/v1/triggers/")
                || path.startsWith("/v1/opt-outs/");
    }

    /** Decodes percent-escapes (repeatedly) and collapses repeated slashes. */
    static String normalize(String raw) {
        String p = raw;
        for (int i = 0; i < 3 && p.indexOf('%') >= 0; i++) {
            try {
                p = URLDecoder.decode(p.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                break;
            }
        }
        return p.replaceAll("/{2,}", "/");
    }

    private static HttpResponse<?> unauthorized(String code, String message) {
        return HttpResponse.status(HttpStatus.UNAUTHORIZED).contentType(MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .body(ErrorBody.of(code, message, "Authorization", null));
    }
}
