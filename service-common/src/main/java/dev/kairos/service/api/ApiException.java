package dev.kairos.service.api;

import io.micronaut.http.HttpStatus;

import java.util.Map;

/**
 * A request the API refuses, answered as {@code {"error": {"code": ..., "message": ..., "field": ...}}}
 * with {@code status}; {@code extra} adds top-level fields (e.g. compile {@code problems}).
 */
public final class ApiException extends RuntimeException {
    private final HttpStatus status;
    private final String code;
    private final String field;
    private final Map<String, Object> extra;

    public ApiException(HttpStatus status, String code, String message, String field, Map<String, Object> extra) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
        this.extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    public static ApiException badRequest(String code, String message, String field) {
        return new ApiException(HttpStatus.BAD_REQUEST, code, message, field, null);
    }

    public static ApiException notFound(String message) {
        return new ApiException(HttpStatus.NOT_FOUND, "not_found", message, null, null);
    }

    public static ApiException conflict(String code, String message) {
        return new ApiException(HttpStatus.CONFLICT, code, message, null, null);
    }

    /** {@code 503 unavailable}: a dependency (Kafka) did not take the change; the request may be retried as is. */
    public static ApiException unavailable(String message) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", message, null, null);
    }

    public HttpStatus status() { return status; }
    public String code() { return code; }
    public String field() { return field; }
    public Map<String, Object> extra() { return extra; }
}
