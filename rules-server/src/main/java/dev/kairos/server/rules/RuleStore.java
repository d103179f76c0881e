package dev.kairos.server.rules;

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
import java.util.Optional;
import java.util.stream.Stream;

/**
 * This instance's cache of the rule versions and the routing state, as JSON files under
 * {@code <data-dir>/rules}, each written to a temporary file and atomically moved into place, so a
 * crash never leaves half a version or half a state behind. The truth is the rules topic (see
 * {@link RuleRegistry}); these files are read only to migrate a single-node data folder of an
 * earlier version, once.
 */
public final class RuleStore {
    private final Path root;
    private final Path versionsDir;
    private final Path stateFile;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    public RuleStore(Path dataDir) {
        this.root = dataDir.resolve("rules");
        this.versionsDir = root.resolve("versions");
        this.stateFile = root.resolve("state.json");
        try {
            Files.createDirectories(versionsDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + versionsDir, e);
        }
    }

    /** The folder of the cache ({@code <data-dir>/rules}). */
    public Path root() { return root; }

    public List<RuleVersion> loadVersions() {
        List<RuleVersion> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(versionsDir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                out.add(json.readValue(p.toFile(), RuleVersion.class));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read rule versions in " + versionsDir, e);
        }
        out.sort((a, b) -> Integer.compare(number(a.id()), number(b.id())));
        return out;
    }

    public Optional<RoutingState> loadState() {
        if (!Files.exists(stateFile)) return Optional.empty();
        try {
            return Optional.of(json.readValue(stateFile.toFile(), RoutingState.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + stateFile, e);
        }
    }

    public void save(RuleVersion version) {
        write(versionsDir.resolve(version.id() + ".json"), version);
    }

    public void save(RoutingState state) {
        write(stateFile, state);
    }

    private void write(Path target, Object value) {
        try {
            Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
            json.writeValue(tmp.toFile(), value);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    static int number(String id) {
        try {
            return Integer.parseInt(id.substring(1));
        } catch (RuntimeException e) {
            return Integer.MAX_VALUE;
        }
    }
}
