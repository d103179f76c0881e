package dev.kairos.server.experiments;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The experiment files of earlier versions, {@code <data-dir>/experiments/<name>.json}, read once
 * to import them into the experiments topic (see {@link ExperimentService}), then renamed to
 * {@code <name>.json.imported} so they are not imported again (and a deletion through the API is
 * not undone by the next restart). The topic is the source of truth; nothing writes these files.
 */
final class LegacyExperimentFiles {
    private final Path dir;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());

    LegacyExperimentFiles(Path dataDir) {
        this.dir = dataDir.resolve("experiments");
    }

    /** Every experiment file not imported yet, by name; a file that is not a valid experiment fails the start. */
    List<Experiment> load() {
        List<Experiment> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                out.add(json.readValue(p.toFile(), Experiment.class));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read experiments in " + dir, e);
        }
        return out;
    }

    /** Renames the experiment's file so it is not imported again. */
    void markImported(String name) {
        Path file = dir.resolve(name + ".json");
        try {
            if (Files.exists(file)) Files.move(file, dir.resolve(name + ".json.imported"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rename " + file, e);
        }
    }
}
