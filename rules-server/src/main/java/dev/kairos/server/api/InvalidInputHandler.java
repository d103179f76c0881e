package dev.kairos.server.api;

import dev.kairos.rules.input.InvalidInputException;
import dev.kairos.service.api.ErrorBody;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** Invalid request fields from the facts reader are 400s naming the field, in the standard error shape. */
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class InvalidInputHandler implements ExceptionHandler<InvalidInputException, HttpResponse<?>> {
    @Override
    public HttpResponse<?> handle(HttpRequest request, InvalidInputException e) {
        return HttpResponse.badRequest(ErrorBody.of(e.code(), e.getMessage(), e.field(), null)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }
}
