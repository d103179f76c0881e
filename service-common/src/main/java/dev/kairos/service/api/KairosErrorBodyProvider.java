package dev.kairos.service.api;

import io.micronaut.context.annotation.Primary;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.JsonErrorResponseBodyProvider;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * Gives the framework's own errors (unknown route, wrong method, body too large, unconvertible
 * parameters, unexpected failures) the same shape as the API's. A 5xx never carries exception
 * details: those go to the log only.
 */
@Primary
@Singleton
public final class KairosErrorBodyProvider implements JsonErrorResponseBodyProvider<Map<String, Object>> {
    @Override
    public Map<String, Object> body(ErrorContext context, HttpResponse<?> response) {
        int status = response.code();
        String message;
        if (status >= 500) {
            message = "internal error";
        } else if (context.hasErrors()) {
            Error first = context.getErrors().get(0);
            message = first.getMessage();
        } else {
            message = response.reason();
        }
        if (status == 413) message = "the request body is larger than the server accepts";
        return ErrorBody.of(ErrorBody.codeFor(status), message, null, null);
    }
}
