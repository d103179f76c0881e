package dev.kairos.server.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.Weights;
import dev.kairos.service.api.ApiException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The candidate weights a replay takes (what the feedback service's off-policy estimate sends), validated field by field. */
class ReplayWeightsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void candidateWeightsAreReadWithTheirNamedWeights() throws Exception {
        Weights w = ReplayController.weights(JSON.readTree(
                "{\"version\": \"w1\", \"recency\": 0.1, \"depth\": 0.8, \"conversion\": 0.1, \"named\": {\"highIntentThreshold\": 0.7}}"));
        assertThat(w.getVersion()).isEqualTo("w1");
        assertThat(w.getDepth()).isEqualTo(0.8);
        assertThat(w.get("highIntentThreshold")).isEqualTo(0.7);
        assertThat(ReplayController.weights(null)).isNull();
        assertThat(ReplayController.weights(JSON.readTree("{\"recency\": 0, \"depth\": 1, \"conversion\": 0}")).getVersion()).isEqualTo("candidate");
    }

    @Test
    void badWeightsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> ReplayController.weights(JSON.readTree("[1]"))).isInstanceOf(ApiException.class).hasMessageContaining("weights must be an object");
        assertThatThrownBy(() -> ReplayController.weights(JSON.readTree("{\"recency\": -1, \"depth\": 1, \"conversion\": 0}")))
                .isInstanceOf(ApiException.class).hasMessageContaining("weights.recency");
        assertThatThrownBy(() -> ReplayController.weights(JSON.readTree("{\"depth\": 1, \"conversion\": 0}")))
                .isInstanceOf(ApiException.class).hasMessageContaining("weights.recency");
        assertThatThrownBy(() -> ReplayController.weights(JSON.readTree("{\"recency\": 0, \"depth\": \"1\", \"conversion\": 0}")))
                .isInstanceOf(ApiException.class).hasMessageContaining("weights.depth");
        assertThatThrownBy(() -> ReplayController.weights(JSON.readTree("{\"recency\": 0, \"depth\": 1, \"conversion\": 0, \"bias\": 2}")))
                .isInstanceOf(ApiException.class).hasMessageContaining("unknown field 'weights.bias'");
        assertThatThrownBy(() -> ReplayController.weights(JSON.readTree("{\"recency\": 0, \"depth\": 1, \"conversion\": 0, \"named\": {\"t\": \"x\"}}")))
                .isInstanceOf(ApiException.class).hasMessageContaining("weights.named.t");
    }
}
