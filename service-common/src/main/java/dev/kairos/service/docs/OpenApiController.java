package dev.kairos.service.docs;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;

/**
 * {@code GET /openapi.yml} (no key): the service's OpenAPI document, which micronaut-openapi
 * generates from the controllers at build time ({@code META-INF/swagger/openapi.yml}), and
 * {@code GET /openapi}, which redirects to the browsable page generated with it (Swagger UI,
 * served from the jar under {@code /swagger-ui/}: nothing is loaded from elsewhere).
 */
@Controller
public class OpenApiController {
    static final String DOCUMENT = "META-INF/swagger/openapi.yml";
    private final byte[] document;

    public OpenApiController() {
        try (InputStream in = OpenApiController.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
            this.document = in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DOCUMENT, e);
        }
    }

    @Get(uri = "/openapi.yml", produces = "application/yaml")
    public HttpResponse<byte[]> document() {
        return document == null ? HttpResponse.notFound() : HttpResponse.ok(document).contentType(MediaType.of("application/yaml"));
    }

    @Get("/openapi")
    public HttpResponse<?> page() {
        return HttpResponse.seeOther(URI.create("/swagger-ui/index.html"));
    }
}
