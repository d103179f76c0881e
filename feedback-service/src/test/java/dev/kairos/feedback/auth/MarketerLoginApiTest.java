package dev.kairos.feedback.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.feedback.support.Http;
import dev.kairos.feedback.support.SharedPostgres;
import dev.kairos.feedback.support.TestService;
import io.micronaut.context.exceptions.ConfigurationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.kairos.feedback.support.TestService.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Marketer accounts over HTTP: sign in with a password, read everything, change nothing; the admin key still does all. */
class MarketerLoginApiTest {
    static final String PASSWORD = "correct horse battery staple";
    static TestService service;

    @BeforeAll
    static void start() {
        service = TestService.start(Map.of("kairos.feedback.recalibration.enabled", false,
                "kairos.feedback.marketers", "ana:" + MarketerAccounts.hash(PASSWORD.toCharArray())
                        + ", ben:" + MarketerAccounts.hash("another one".toCharArray())
                        + ", cy:" + MarketerAccounts.hash("cy's own password".toCharArray())));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    static Http.Response login(String user, String password) {
        return service.http.postJson("/v1/login", null, "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
    }

    @Test
    void aMarketerCanReadButNotRecalibrateOrRollBack() {
        Http.Response ok = login("ana", PASSWORD);
        assertThat(ok.status()).isEqualTo(200);
        JsonNode session = ok.json();
        assertThat(session.get("role").asText()).isEqualTo("marketer");
        assertThat(session.get("username").asText()).isEqualTo("ana");
        String token = session.get("token").asText();
        assertThat(token).startsWith("mk_").hasSizeGreaterThan(40);

        for (String path : new String[] {"/v1/kpis", "/v1/weights", "/v1/charts/ctr.svg", "/v1/rules-versions", "/v1/rule-activity"}) {
            assertThat(service.http.get(path, token).status()).as(path).isEqualTo(200);
        }
        Http.Response recalibrate = service.http.postJson("/v1/recalibrate", token, "{}");
        assertThat(recalibrate.status()).isEqualTo(403);
        assertThat(recalibrate.json().get("error").get("code").asText()).isEqualTo("forbidden");
        assertThat(service.http.postJson("/v1/weights/rollback", token, "{}").status()).isEqualTo(403);
        assertThat(service.http.postJson("/v1/recalibrate", ADMIN_KEY, "{}").status()).as("the admin key still may").isEqualTo(200);

        assertThat(service.http.postJson("/v1/logout", token, "").status()).isEqualTo(204);
        assertThat(service.http.get("/v1/kpis", token).status()).as("signed out").isEqualTo(401);
    }

    @Test
    void wrongPasswordsUnknownUsersAndMadeUpTokensAreRefusedAlike() {
        Http.Response wrong = login("ana", "guess");
        Http.Response unknown = login("nobody", PASSWORD);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(wrong.body()).isEqualTo(unknown.body()).contains("invalid_credentials").doesNotContain("guess");
        assertThat(login("ben", PASSWORD).status()).as("each account has its own password").isEqualTo(401);
        assertThat(login("ben", "another one").status()).isEqualTo(200);
        assertThat(service.http.get("/v1/kpis", "mk_made-up-token").status()).isEqualTo(401);
        assertThat(service.http.postJson("/v1/login", null, "{\"username\":\"ana\"}").status()).isEqualTo(400);
    }

    @Test
    void aMalformedAccountEntryStopsTheServiceFromStarting() {
        assertThatThrownBy(() -> MarketerAccounts.parseAccounts("ana:plaintext-password")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("ana").hasMessageNotContaining("plaintext-password");
        assertThatThrownBy(() -> MarketerAccounts.parseAccounts("no-colon")).isInstanceOf(ConfigurationException.class);
        assertThat(MarketerAccounts.parseAccounts("")).isEmpty();
    }

    @Test
    void afterTooManyFailuresTheAccountAnswers429WithRetryAfterEvenForTheRightPassword() {
        for (int i = 0; i < 5; i++) assertThat(login("cy", "guess " + i).status()).isEqualTo(401);
        Http.Response locked = login("cy", "cy's own password");
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.json().get("error").get("code").asText()).isEqualTo("too_many_attempts");
        assertThat(locked.json().get("retryAfterSeconds").asLong()).isBetween(1L, 15 * 60L);
        assertThat(locked.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 15 * 60L));
        assertThat(locked.body()).doesNotContain("cy's own password").doesNotContain("guess");
        assertThat(login("ana", PASSWORD).status()).as("other accounts are not locked").isEqualTo(200);
    }

    @Test
    void aSessionSurvivesARestartAndIsSharedByInstancesOnOneDatabase() {
        Map<String, Object> db = Map.of("kairos.feedback.db-url", SharedPostgres.newDatabase(), "kairos.feedback.db-user", "postgres",
                "kairos.feedback.recalibration.enabled", false,
                "kairos.feedback.marketers", "ana:" + MarketerAccounts.hash(PASSWORD.toCharArray()));
        TestService one = TestService.start(db);
        TestService two = TestService.start(db);
        try {
            String token = one.http.postJson("/v1/login", null, "{\"username\":\"ana\",\"password\":\"" + PASSWORD + "\"}")
                    .json().get("token").asText();
            assertThat(two.http.get("/v1/kpis", token).status()).as("the other instance").isEqualTo(200);
            one = one.restart(Map.of());
            assertThat(one.http.get("/v1/kpis", token).status()).as("after a restart").isEqualTo(200);

            assertThat(two.http.postJson("/v1/logout", token, "").status()).isEqualTo(204);
            assertThat(one.http.get("/v1/kpis", token).status()).as("signed out on the other instance").isEqualTo(401);
        } finally {
            one.close();
            two.close();
        }
    }
}
