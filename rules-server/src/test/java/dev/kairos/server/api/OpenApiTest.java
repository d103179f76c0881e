package dev.kairos.server.api;

import dev.kairos.server.support.Http;
import dev.kairos.server.support.TestServer;
import dev.kairos.service.docs.OpenApiContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document served at {@code /openapi.yml} (generated from the controllers at build
 * time) lists every endpoint the server answers but the instance-to-instance ones, its page is
 * served from the jar, and docs/api.md does not contradict it: every documented operation is
 * described there, and every {@code `METHOD /path`} api.md names on one of these paths exists.
 */
class OpenApiTest {
    static final Path API_MD = Path.of("..", "docs", "api.md");
    /** Paths that are not the public API: instance to instance, and the document and its page themselves. */
    static final Set<String> NOT_DOCUMENTED = Set.of("/internal/", "/openapi", "/swagger-ui/");
    /** api.md's examples of what is refused: {@code GET /v1/decide} answers 405. */
    static final Set<String> COUNTER_EXAMPLES = Set.of("GET /v1/decide");

    static TestServer server;
    static Set<String> documented;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        Http.Response r = server.http.get("/openapi.yml", null);
        assertThat(r.status()).as("served without a key").isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/yaml"));
        documented = OpenApiContract.operations(r.body());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theDocumentListsEveryEndpointTheServerAnswers() {
        Set<String> routes = OpenApiContract.routes(server.server.getApplicationContext(), NOT_DOCUMENTED);
        assertThat(routes).contains("POST /v1/decide", "GET /v1/users/{userKey}/signals", "GET /health");
        assertThat(documented).containsAll(routes);
        assertThat(routes).containsAll(documented);
        assertThat(documented).noneMatch(op -> op.contains("/internal/"));
    }

    @Test
    void docsApiMdDescribesEveryOperationAndNamesNoneThatIsNotThere() {
        Set<String> undescribed = documented.stream().filter(op -> !OpenApiContract.pathMentioned(API_MD, op.substring(op.indexOf(' ') + 1)))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(undescribed).as("operations docs/api.md does not describe").isEmpty();
        Set<String> paths = documented.stream().map(op -> op.substring(op.indexOf(' ') + 1)).collect(Collectors.toSet());
        Set<String> contradicted = OpenApiContract.mentioned(API_MD).stream()
                .filter(m -> paths.contains(m.substring(m.indexOf(' ') + 1)) && !documented.contains(m) && !COUNTER_EXAMPLES.contains(m))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(contradicted).as("methods docs/api.md names on these paths that the server does not have").isEmpty();
    }

    @Test
    void theBrowsablePageIsServedFromTheJarWithoutAKey() {
        Http.Response page = server.http.get("/openapi", null);
        assertThat(page.status()).isEqualTo(303);
        assertThat(page.headers().firstValue("location")).hasValue("/swagger-ui/index.html");
        Http.Response index = server.http.get("/swagger-ui/index.html", null);
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.body()).contains("/openapi.yml").contains("/swagger-ui/res/swagger-ui-bundle.js").doesNotContain("https://");
        assertThat(server.http.get("/swagger-ui/res/swagger-ui-bundle.js", null).status()).isEqualTo(200);
        // The public prefix does not open other paths.
        assertThat(server.http.get("/swagger-ui/../v1/rules/state", null).status()).isEqualTo(401);
    }
}
