package dev.kairos.feedback.api;

import dev.kairos.feedback.store.QueryTimeoutException;
import dev.kairos.service.api.ErrorBody;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a dashboard or KPI query that ran past {@code kairos.feedback.query-timeout} (or found no
 * free read connection in that time) with 503 {@code query_timeout} and {@code Retry-After: 30}, in
 * the standard error shape: the database is busy, not broken, and a narrower window may succeed.
 */
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class QueryTimeoutHandler implements ExceptionHandler<QueryTimeoutException, HttpResponse<?>> {
    private static final Logger LOG = LoggerFactory.getLogger(QueryTimeoutHandler.class);

    @Override
    public HttpResponse<?> handle(HttpRequest request, QueryTimeoutException e) {
        LOG.warn("{} {}: {}", request.getMethod(), request.getPath(), e.getMessage());
        return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE).contentType(MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.RETRY_AFTER, "30")
                .body(ErrorBody.of("query_timeout", "the query took longer than the store allows; try a shorter window or again later",
                        null, null));
    }
}
