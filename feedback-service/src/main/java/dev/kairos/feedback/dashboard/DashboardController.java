package dev.kairos.feedback.dashboard;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.Operation;
import dev.kairos.service.api.ApiException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The dashboard's static page at {@code /} and its two assets under {@code /dashboard/}, public:
 * the page asks for the admin key, keeps it in the tab's session storage and sends it with every
 * {@code /v1} call, so nothing here reveals data. A strict Content-Security-Policy allows only this
 * origin's script and style.
 */
@Tag(name = "Dashboard", description = "The dashboard page (docs/feedback.md)")
@Controller
public class DashboardController {
    private static final Map<String, String> ASSETS = Map.of(
            "app.js", "application/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8");
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    @Operation(summary = "The dashboard page")
    @Get(uri = "/", produces = MediaType.TEXT_HTML)
    public HttpResponse<byte[]> index() {
        return asset("index.html", "text/html; charset=utf-8");
    }

    @Operation(summary = "The dashboard's script and style sheet")
    @Get(uri = "/dashboard/{file}")
    public HttpResponse<byte[]> file(@PathVariable String file) {
        String type = ASSETS.get(file);
        if (type == null) throw ApiException.notFound("no such dashboard file");
        return asset(file, type);
    }

    private static HttpResponse<byte[]> asset(String name, String type) {
        try (InputStream in = DashboardController.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) throw ApiException.notFound("no such dashboard file");
            return HttpResponse.ok(in.readAllBytes()).contentType(type)
                    .header("Content-Security-Policy", CSP).header("X-Content-Type-Options", "nosniff")
                    .header("Cache-Control", "no-cache");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
