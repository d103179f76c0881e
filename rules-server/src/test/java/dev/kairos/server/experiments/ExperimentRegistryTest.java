package dev.kairos.server.experiments;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry as the experiments topic's records drive it, without Kafka. */
class ExperimentRegistryTest {
    static Experiment ab(String name, boolean active) {
        return new Experiment(name, null, List.of(new Experiment.VariantSpec("control", 1), new Experiment.VariantSpec("b", 1)),
                0, active, Map.of(), Instant.parse("2026-11-23T20:00:00Z"));
    }

    @Test
    void nothingIsAssignedWithoutAnActiveExperiment() {
        ExperimentRegistry r = new ExperimentRegistry();
        assertThat(r.assign("u1")).isEmpty();
        r.apply(0, "paused", ab("paused", false));
        assertThat(r.assign("u1")).isEmpty();
        r.apply(1, "paused", ab("paused", true));
        assertThat(r.assign("u1")).extracting(Assignment::experiment).containsExactly("paused");
        assertThat(r.assign(null)).isEmpty();
    }

    @Test
    void everyActiveExperimentAssignsTheUserInNameOrder() {
        ExperimentRegistry r = new ExperimentRegistry();
        r.apply(0, "zeta", ab("zeta", true));
        r.apply(1, "alpha", ab("alpha", true));
        r.apply(2, "paused", ab("paused", false));
        for (int u = 0; u < 50; u++) {
            List<Assignment> mine = r.assign("u" + u);
            assertThat(mine).extracting(Assignment::experiment).containsExactly("alpha", "zeta");
            assertThat(mine.get(0)).isEqualTo(ExperimentRegistry.assign(ab("alpha", true), "u" + u));
            assertThat(mine.get(1)).isEqualTo(ExperimentRegistry.assign(ab("zeta", true), "u" + u));
        }
    }

    @Test
    void experimentsWithTheSameVariantsSplitUsersIndependently() {
        Map<String, Integer> pairs = new HashMap<>();
        int n = 4000;
        for (int u = 0; u < n; u++) {
            String a = ExperimentRegistry.assign(ab("alpha", true), "u" + u).variant();
            String z = ExperimentRegistry.assign(ab("zeta", true), "u" + u).variant();
            pairs.merge(a + "/" + z, 1, Integer::sum);
        }
        // Salted by name: each of the four combinations gets about a quarter, not half of them none.
        assertThat(pairs).containsOnlyKeys("control/control", "control/b", "b/control", "b/b");
        assertThat(pairs.values()).allSatisfy(c -> assertThat(c).isBetween(n / 4 - 150, n / 4 + 150));
    }

    @Test
    void aRecordOlderThanTheLastAppliedForItsNameIsIgnored() {
        ExperimentRegistry r = new ExperimentRegistry();
        // The writer applies offset 7 at once; its listener then replays 3 (older) and 7 (the same).
        assertThat(r.apply(7, "one", ab("one", true))).isTrue();
        assertThat(r.apply(3, "one", ab("one", false))).isFalse();
        assertThat(r.apply(7, "one", ab("one", false))).isFalse();
        assertThat(r.get("one")).hasValueSatisfying(e -> assertThat(e.active()).isTrue());
        // Another name at an older offset is a different experiment and is applied.
        assertThat(r.apply(5, "two", ab("two", true))).isTrue();
        assertThat(r.list()).extracting(Experiment::name).containsExactly("one", "two");
    }

    @Test
    void aTombstoneDeletesAndAnOlderDefinitionDoesNotBringItBack() {
        ExperimentRegistry r = new ExperimentRegistry();
        r.apply(1, "one", ab("one", true));
        r.apply(4, "one", null);
        assertThat(r.get("one")).isEmpty();
        assertThat(r.knows("one")).isTrue();
        r.apply(2, "one", ab("one", true));
        assertThat(r.get("one")).isEmpty();
        assertThat(r.assign("u1")).isEmpty();
        r.apply(9, "one", ab("one", true));
        assertThat(r.get("one")).isPresent();
    }

    @Test
    void aRecordWhoseKeyDoesNotNameItsExperimentIsRefused() {
        ExperimentRegistry r = new ExperimentRegistry();
        assertThatThrownBy(() -> r.apply(0, "one", ab("two", true))).isInstanceOf(IllegalArgumentException.class);
        assertThat(r.list()).isEmpty();
    }
}
