package dev.kairos.service.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the error body: {@code {"error": {"code": ..., "message": ..., "field": ...}, ...extra}}. */
public final class ErrorBody {
    private ErrorBody() {}

    public static Map<String, Object> of(String code, String message, String field, Map<String, Object> extra) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        if (field != null) error.put("field", field);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        if (extra != null) body.putAll(extra);
        return body;
    }

    /** The machine-readable code for a framework status. */
    public static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            case 429 -> "too_many_requests";
            case 503 -> "unavailable";
            default -> status >= 500 ? "internal" : "error";
        };
    }
}
