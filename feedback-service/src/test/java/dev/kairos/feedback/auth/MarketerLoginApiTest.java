package dev.kairos.feedback.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.feedback.support.Http;
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
                        + ", ben:" + MarketerAccounts.hash("another one".toCharArray())));
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
        assertThatThrownBy(() -> new MarketerAccounts("ana:plaintext-password")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("ana").hasMessageNotContaining("plaintext-password");
        assertThatThrownBy(() -> new MarketerAccounts("no-colon")).isInstanceOf(ConfigurationException.class);
        assertThat(new MarketerAccounts("").any()).isFalse();
    }
}
