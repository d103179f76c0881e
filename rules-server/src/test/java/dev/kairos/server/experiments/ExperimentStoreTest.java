package dev.kairos.server.experiments;

import dev.kairos.server.config.KairosConfig;
import dev.kairos.server.support.TestServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry over its files, without a server. */
class ExperimentStoreTest {
    static KairosConfig config(Path dataDir) {
        return new KairosConfig(List.of("wk"), "ak", dataDir, 1 << 20, 5000, Duration.ofSeconds(30), 1000);
    }

    static Experiment ab(String name, boolean active) {
        return new Experiment(name, null, List.of(new Experiment.VariantSpec("control", 1), new Experiment.VariantSpec("b", 1)),
                0, active, Map.of(), Instant.parse("2026-11-23T20:00:00Z"));
    }

    @Test
    void aNewRegistryOnTheSameFolderFindsTheSameExperimentsAndAssignsAlike() {
        Path dir = TestServer.newDataDir();
        ExperimentRegistry first = new ExperimentRegistry(config(dir));
        first.put(ab("one", true));
        first.put(ab("two", false));
        first.delete("two");
        ExperimentRegistry second = new ExperimentRegistry(config(dir));
        assertThat(second.list()).containsExactly(ab("one", true));
        for (int u = 0; u < 100; u++) assertThat(second.assign("u" + u)).isEqualTo(first.assign("u" + u));
    }

    @Test
    void nothingIsAssignedWithoutAnActiveExperiment() {
        ExperimentRegistry r = new ExperimentRegistry(config(TestServer.newDataDir()));
        assertThat(r.assign("u1")).isEmpty();
        r.put(ab("paused", false));
        assertThat(r.assign("u1")).isEmpty();
        r.put(ab("paused", true));
        assertThat(r.assign("u1")).hasValueSatisfying(a -> assertThat(a.experiment()).isEqualTo("paused"));
    }

    @Test
    void aHandEditedInvalidFileFailsAtStartNotAtDecisionTime() throws Exception {
        Path dir = TestServer.newDataDir();
        Files.createDirectories(dir.resolve("experiments"));
        Files.writeString(dir.resolve("experiments").resolve("broken.json"), """
                {"name": "broken", "variants": [{"name": "a", "weight": 0}, {"name": "b", "weight": 1}], "holdout": 0, "active": true}
                """);
        assertThatThrownBy(() -> new ExperimentRegistry(config(dir))).hasStackTraceContaining("variant weights must be 1..10000");
    }
}
