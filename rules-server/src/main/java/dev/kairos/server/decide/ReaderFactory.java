package dev.kairos.server.decide;

import dev.kairos.rules.geo.Geofences;
import dev.kairos.rules.input.DecideRequestReader;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The request reader, with the geofences of {@code kairos.geofences-file} ({@code KAIROS_GEOFENCES_FILE}) when set. */
@Factory
public class ReaderFactory {
    private static final Logger LOG = LoggerFactory.getLogger(ReaderFactory.class);

    @Singleton
    DecideRequestReader reader(@Nullable @Value("${kairos.geofences-file:}") String file) {
        if (file == null || file.isBlank()) return new DecideRequestReader();
        try {
            Geofences g = Geofences.load(Path.of(file));
            LOG.info("{} geofences loaded from {}", g.areas().size(), file);
            return new DecideRequestReader(g);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load geofences from " + file + ": " + e.getMessage(), e);
        }
    }
}
