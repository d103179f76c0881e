package dev.kairos.server.auth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The path the key check and the ingest-only filter judge: escapes decoded, repeated slashes collapsed. */
class ApiKeyFilterNormalizeTest {
    @Test
    void repeatedSlashesCollapseWhereverTheyAreAndEscapesAreDecodedFirst() {
        assertThat(ApiKeyFilter.normalize("//v1//rules///state")).isEqualTo("/v1/rules/state");
        assertThat(ApiKeyFilter.normalize("/v1/%2F%2Frules/state")).isEqualTo("/v1/rules/state");
        assertThat(ApiKeyFilter.normalize("/v1/%252F/rules")).as("escapes decoded repeatedly").isEqualTo("/v1/rules");
        assertThat(ApiKeyFilter.normalize("/v1/%72ules/state")).isEqualTo("/v1/rules/state");
    }

    @Test
    void aPathWithNothingToChangeIsAnsweredAsItIs() {
        String path = "/v1/events";
        assertThat(ApiKeyFilter.normalize(path)).isSameAs(path);
        assertThat(ApiKeyFilter.normalize("/")).isEqualTo("/");
    }
}
