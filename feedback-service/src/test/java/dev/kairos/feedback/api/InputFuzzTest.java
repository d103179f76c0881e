package dev.kairos.feedback.api;

import dev.kairos.feedback.support.Http;
import dev.kairos.feedback.support.TestService;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static dev.kairos.feedback.support.TestService.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based fuzzing of the feedback service's API: every endpoint with arbitrary query
 * parameters (dates far away or malformed, unknown groupings, huge values) and arbitrary bodies.
 * Properties: never a 5xx (a 503 query timeout aside, which says when to retry), never a stack
 * trace or class name in a body.
 */
class InputFuzzTest {
    static TestService service;
    static Http http;

    @BeforeContainer
    static void start() {
        service = TestService.start(Map.of("kairos.feedback.recalibration.enabled", false));
        http = service.http;
    }

    @AfterContainer
    static void stop() {
        service.close();
    }

    static final List<String> GETS = List.of("/v1/kpis", "/v1/kpis/series", "/v1/experiments/results", "/v1/rules-versions",
            "/v1/rule-activity", "/v1/rules-routing", "/v1/weights", "/v1/weights/diff", "/v1/charts/ctr.svg", "/v1/charts/impressions.svg",
            "/v1/charts/weights.svg");

    @Provide
    Arbitrary<String> queries() {
        Arbitrary<String> name = Arbitraries.of("from", "to", "groupBy", "interval", "metric", "control", "minSamples", "experiment", "limit", "x");
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.of("2026-11-01T00:00:00Z", "+1000000000-01-01T00:00:00Z", "1969-01-01", "2026-13-01", "rule", "placement",
                        "variant", "segment", "day", "hour", "week", "ctr", "-1", "0", "99999999999999999999", "NaN", "", "%00", "\u0000"),
                Arbitraries.strings().ofMaxLength(30));
        return net.jqwik.api.Combinators.combine(Arbitraries.of(GETS), name.list().ofMaxSize(4), value.list().ofSize(4))
                .as((path, names, values) -> {
                    StringBuilder q = new StringBuilder(path);
                    for (int i = 0; i < names.size(); i++) {
                        q.append(i == 0 ? '?' : '&').append(names.get(i)).append('=').append(URLEncoder.encode(values.get(i), StandardCharsets.UTF_8));
                    }
                    return q.toString();
                });
    }

    @Property(tries = 150)
    void queriesNeverAnswer5xx(@ForAll("queries") String pathAndQuery) {
        assertSane(http.get(pathAndQuery, ADMIN_KEY), pathAndQuery);
    }

    @Provide
    Arbitrary<String> bodies() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(200),
                Arbitraries.of("{}", "[]", "null", "{\"username\": \"ana\", \"username\": \"bob\"}", "{\"username\": null, \"password\": 1}",
                        "{\"username\": \"" + "a".repeat(5000) + "\", \"password\": \"x\"}", "{\"username\": \"\\u0000\", \"password\": \"\\u0000\"}",
                        "{\"version\": \"w1\"} trailing", "{\"version\": 1e400}", "[".repeat(3000), "{\"version\": null}"));
    }

    @Property(tries = 60)
    void bodiesNeverAnswer5xx(@ForAll("bodies") String body) {
        for (String path : List.of("/v1/login", "/v1/weights/rollback", "/v1/recalibrate")) {
            assertSane(http.postJson(path, path.equals("/v1/login") ? null : ADMIN_KEY, body), path + " " + body);
        }
    }

    static void assertSane(Http.Response r, String sent) {
        String shown = sent.length() > 300 ? sent.substring(0, 300) + "…" : sent;
        assertThat(r.status()).as("status for %s -> %s", shown, r.body()).isLessThan(500);
        assertThat(r.body()).as("no internals in the answer to %s", shown)
                .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("dev.kairos.").doesNotContain("io.micronaut");
    }
}
