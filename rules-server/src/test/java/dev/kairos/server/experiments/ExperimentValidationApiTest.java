package dev.kairos.server.experiments;

import dev.kairos.server.support.Http;
import dev.kairos.server.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/** Invalid experiment definitions get a machine-readable 400 and change nothing: one server for all cases (none changes state). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExperimentValidationApiTest {
    TestServer server;
    Http http;

    @BeforeAll
    void start() {
        server = TestServer.start(TestServer.newDataDir(), Map.of());
        http = server.http;
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Bad-Name | " + "{\"variants\": [{\"name\": \"a\", \"weight\": 1}, {\"name\": \"b\", \"weight\": 1}]} | invalid_value | name",
            "results | {\"variants\": [{\"name\": \"a\", \"weight\": 1}, {\"name\": \"b\", \"weight\": 1}]} | invalid_value | name",
            "t | {\"variants\": [{\"name\": \"a\", \"weight\": 1}, {\"name\": \"b\", \"weight\": 1}], \"colour\": 1} | unknown_field | colour",
            "t | {\"variants\": [{\"name\": \"a\", \"weight\": 1, \"x\": 2}, {\"name\": \"b\", \"weight\": 1}]} | unknown_field | variants[0].x",
            "t | {\"variants\": [{\"name\": \"a\", \"weight\": 0}, {\"name\": \"b\", \"weight\": 1}]} | out_of_range | variants[0].weight",
            "t | {\"variants\": [{\"name\": \"a\", \"weight\": 1.5}, {\"name\": \"b\", \"weight\": 1}]} | invalid_type | variants[0].weight",
            "t | {\"variants\": [{\"name\": \"a\", \"weight\": 1}]} | out_of_range | variants",
            "t | {\"variants\": [{\"name\": \"a\", \"weight\": 1}, {\"name\": \"a\", \"weight\": 1}]} | duplicate | variants[1].name",
            "t | {\"variants\": [{\"name\": \"a\", \"weight\": 1}, {\"name\": \"holdout\", \"weight\": 1}]} | invalid_value | variants[1].name",
            "t | {\"variants\": [{\"name\": \"a\", \"weight\": 1}, {\"name\": \"b\", \"weight\": 1}], \"holdout\": 51} | out_of_range | holdout",
            "t | {\"variants\": [{\"name\": \"a\", \"weight\": 1}, {\"name\": \"b\", \"weight\": 1}], \"holdout\": -1} | out_of_range | holdout",
            "t | {\"variants\": [{\"name\": \"a\", \"weight\": 1}, {\"name\": \"b\", \"weight\": 1}], \"active\": \"yes\"} | invalid_type | active",
            "t | {\"variants\": [{\"name\": \"a\", \"weight\": 1}, {\"name\": \"b\", \"weight\": 1}], \"params\": {\"c\": {}}} | unknown_variant | params.c",
            "t | {\"variants\": [{\"name\": \"a\", \"weight\": 1}, {\"name\": \"b\", \"weight\": 1}], \"params\": {\"a\": {\"k\": 1}}} | invalid_type | params.a.k",
            "t | {\"holdout\": 5} | missing_field | variants",
    })
    void rejectsInvalidDefinitionsWithAMachineReadableError(String name, String body, String code, String field) {
        Http.Response r = http.putJson("/v1/experiments/" + name, ADMIN_KEY, body);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("error").get("code").asText()).isEqualTo(code);
        assertThat(r.json().get("error").get("field").asText()).isEqualTo(field);
        assertThat(http.get("/v1/experiments", ADMIN_KEY).json().get("experiments")).isEmpty();
    }
}
