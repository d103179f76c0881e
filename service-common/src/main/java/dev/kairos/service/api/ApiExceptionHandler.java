package dev.kairos.service.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** Answers {@link ApiException}s with their status and the standard error body. */
@Produces(MediaType.APPLICATION_JSON)
@Singleton
@Requires(classes = {ApiException.class, ExceptionHandler.class})
public final class ApiExceptionHandler implements ExceptionHandler<ApiException, HttpResponse<?>> {
    @Override
    public HttpResponse<?> handle(HttpRequest request, ApiException e) {
        return HttpResponse.status(e.status()).contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(ErrorBody.of(e.code(), e.getMessage(), e.field(), e.extra()));
    }

    /** Malformed JSON is a 400, with the position but without parser internals. */
    @Produces(MediaType.APPLICATION_JSON)
    @Singleton
    @io.micronaut.context.annotation.Replaces(io.micronaut.http.server.exceptions.JacksonExceptionHandler.class)
    public static final class MalformedJson implements ExceptionHandler<JsonProcessingException, HttpResponse<?>> {
        @Override
        public HttpResponse<?> handle(HttpRequest request, JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
            String why = original.startsWith("Duplicate field") ? ": a field appears twice (" + original.replaceAll("^Duplicate field '([^']{0,64}).*", "$1") + ")"
                    : original.startsWith("Trailing token") ? ": there is more after the JSON value"
                    : "";
            return HttpResponse.badRequest(ErrorBody.of("invalid_json", "the body is not valid JSON" + why + where, null, null))
                    .contentType(MediaType.APPLICATION_JSON_TYPE);
        }
    }
}
