package dev.kairos.server.experiments;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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
 * Keeps experiments as JSON files under {@code <data-dir>/experiments}, one per experiment
 * ({@code <name>.json}), each written to a temporary file and atomically moved into place like
 * rule versions, so a crash never leaves half a definition behind.
 */
public final class ExperimentStore {
    private final Path dir;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    public ExperimentStore(Path dataDir) {
        this.dir = dataDir.resolve("experiments");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /** Every stored experiment, by name. */
    public List<Experiment> load() {
        List<Experiment> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                out.add(json.readValue(p.toFile(), Experiment.class));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read experiments in " + dir, e);
        }
        return out;
    }

    /** Writes (or replaces) {@code e}; its name was validated, so it is a safe file name. */
    public void save(Experiment e) {
        Path target = dir.resolve(e.name() + ".json");
        try {
            Path tmp = Files.createTempFile(dir, e.name() + ".json", ".tmp");
            json.writeValue(tmp.toFile(), e);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write " + target, ex);
        }
    }

    /** Removes the experiment's file; false when there was none. */
    public boolean delete(String name) {
        try {
            return Files.deleteIfExists(dir.resolve(name + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete experiment " + name, e);
        }
    }
}
