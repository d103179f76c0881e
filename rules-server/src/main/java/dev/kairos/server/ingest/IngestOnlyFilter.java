package dev.kairos.server.ingest;

import dev.kairos.server.auth.ApiKeyFilter;
import dev.kairos.service.api.ErrorBody;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * On an ingest-only instance ({@code KAIROS_ROLE=ingest}, the Micronaut environment {@value #ENVIRONMENT}), the
 * endpoints that read the signal engine's state — decide, {@code POST /v1/rules/why}, a user's signals, the
 * instance-to-instance lookup — answer {@code 421 not_served_here} instead of answering without the user's
 * signals: a load balancer that sends them here is misconfigured, and a decide made without stored signals
 * would look right and be wrong. Everything else (ingest, erasure, rule and experiment management, health,
 * metrics) is served as on any instance. It runs after {@link ApiKeyFilter}: a caller without a valid key
 * gets the 401 it would get anywhere, not a description of the deployment.
 */
@Requires(env = IngestOnlyFilter.ENVIRONMENT)
@ServerFilter("/**")
public final class IngestOnlyFilter implements io.micronaut.core.order.Ordered {
    public static final String ENVIRONMENT = "ingest";

    @Override
    public int getOrder() {
        return ApiKeyFilter.ORDER + 1;
    }

    @RequestFilter
    @Nullable
    public HttpResponse<?> refuseWhatNeedsTheEngine(HttpRequest<?> request) {
        String path = ApiKeyFilter.normalize(request.getPath()).toLowerCase(java.util.Locale.ROOT);
        if (!needsTheEngine(path)) return null;
        return HttpResponse.status(HttpStatus.MISDIRECTED_REQUEST).contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(ErrorBody.of("not_served_here", "this instance only ingests (KAIROS_ROLE=ingest): send " + request.getPath()
                        + " to an instance with the signal engine", null, null));
    }

    static boolean needsTheEngine(String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return p.equals("/v1/decide") || p.startsWith("/v1/decide/") || p.equals("/v1/rules/why") || p.startsWith("/internal/signals")
                || p.startsWith("/v1/users/") && p.endsWith("/signals");
    }
}
