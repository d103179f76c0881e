package dev.kairos.server.experiments;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Sticky hashing: the same user always lands in the same place; shares follow the weights. */
class AssignmentTest {
    static Experiment experiment(int holdout, int... weights) {
        List<Experiment.VariantSpec> vs = new java.util.ArrayList<>();
        for (int i = 0; i < weights.length; i++) vs.add(new Experiment.VariantSpec(i == 0 ? "control" : "v" + i, weights[i]));
        return new Experiment("high_intent_threshold", null, vs, holdout, true,
                Map.of("v1", Map.of("threshold", "0.7")), Instant.EPOCH);
    }

    @Test
    void theSameUserAlwaysGetsTheSameVariant() {
        Experiment e = experiment(10, 50, 50);
        for (int u = 0; u < 1000; u++) {
            Assignment first = ExperimentRegistry.assign(e, "user-" + u);
            assertThat(ExperimentRegistry.assign(e, "user-" + u)).isEqualTo(first);
            // A copy of the definition (as after a restart) assigns alike.
            assertThat(ExperimentRegistry.assign(experiment(10, 50, 50), "user-" + u)).isEqualTo(first);
        }
    }

    @Test
    void sharesFollowTheHoldoutAndTheWeights() {
        Experiment e = experiment(10, 20, 30, 50);
        int n = 100_000;
        Map<String, Integer> counts = new HashMap<>();
        for (int u = 0; u < n; u++) counts.merge(ExperimentRegistry.assign(e, "u" + u).variant(), 1, Integer::sum);
        assertThat(counts.keySet()).containsExactlyInAnyOrder("holdout", "control", "v1", "v2");
        // Holdout 10 %, then 90 % split 20:30:50. Tolerance ±1 point (about 3 standard errors at n = 100,000).
        assertThat(counts.get("holdout") / (double) n).isCloseTo(0.10, within(0.01));
        assertThat(counts.get("control") / (double) n).isCloseTo(0.90 * 0.2, within(0.01));
        assertThat(counts.get("v1") / (double) n).isCloseTo(0.90 * 0.3, within(0.01));
        assertThat(counts.get("v2") / (double) n).isCloseTo(0.90 * 0.5, within(0.01));
    }

    @Test
    void holdoutUsersGetNoVariantFactAndVariantsCarryTheirParams() {
        Experiment e = experiment(50, 1, 1);
        boolean sawHoldout = false, sawV1 = false;
        for (int u = 0; u < 200; u++) {
            Assignment a = ExperimentRegistry.assign(e, "u" + u);
            if (a.variant().equals("holdout")) {
                sawHoldout = true;
                assertThat(a.holdout()).isTrue();
                assertThat(a.facts()).isEmpty();
                assertThat(a.label()).isEqualTo("high_intent_threshold:holdout");
            } else if (a.variant().equals("v1")) {
                sawV1 = true;
                assertThat(a.facts()).singleElement().satisfies(v -> {
                    assertThat(v.getExperiment()).isEqualTo("high_intent_threshold");
                    assertThat(v.param("threshold")).isEqualTo("0.7");
                });
            }
        }
        assertThat(sawHoldout).isTrue();
        assertThat(sawV1).isTrue();
    }

    @Test
    void withoutHoldoutNobodyIsHeldOutAndTheHoldoutIsIndependentOfTheVariantHash() {
        Experiment none = experiment(0, 50, 50);
        Experiment some = experiment(20, 50, 50);
        int moved = 0;
        for (int u = 0; u < 10_000; u++) {
            Assignment a = ExperimentRegistry.assign(none, "u" + u);
            assertThat(a.holdout()).isFalse();
            Assignment b = ExperimentRegistry.assign(some, "u" + u);
            // Adding a holdout only takes users out; everyone else keeps their variant.
            if (!b.holdout()) assertThat(b.variant()).isEqualTo(a.variant());
            else moved++;
        }
        assertThat(moved).isBetween(1800, 2200);
    }
}
