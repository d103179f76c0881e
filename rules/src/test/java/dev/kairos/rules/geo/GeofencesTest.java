package dev.kairos.rules.geo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.Weights;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.input.DecideRequestReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GeofencesTest {
    static final String FILE = """
            geofences:
              - name: food_court
                placeType: restaurant
                circle: {lat: 52.5219, lon: 13.4132, radiusMeters: 150}
              - name: mall
                placeType: store
                polygon: [[52.5106, 13.3807], [52.5113, 13.3846], [52.5093, 13.3852], [52.5087, 13.3812]]
              - name: city_center
                circle: {lat: 52.52, lon: 13.40, radiusMeters: 5000}
            """;

    static Geofences load(Path dir) throws IOException {
        Path f = dir.resolve("geofences.yaml");
        Files.writeString(f, FILE);
        return Geofences.load(f);
    }

    @Test
    void resolvesCirclesAndPolygonsToPlaceTypesAndNames(@TempDir Path dir) throws IOException {
        Geofences g = load(dir);
        assertThat(g.match(52.5220, 13.4135)).isEqualTo(new Geofences.Match("restaurant", java.util.Set.of("food_court", "city_center")));
        assertThat(g.match(52.5100, 13.3830).placeType()).isEqualTo("store");
        assertThat(g.match(52.5100, 13.3830).names()).contains("mall");
        assertThat(g.match(48.1, 11.5)).isEqualTo(new Geofences.Match(null, java.util.Set.of()));
    }

    @Test
    void theReaderFillsPlaceTypeFromCoordinatesUnlessTheRequestSentOne(@TempDir Path dir) throws Exception {
        DecideRequestReader reader = new DecideRequestReader(load(dir));
        ObjectMapper json = new ObjectMapper();
        DecisionInput resolved = reader.read(json.readTree("""
                {"userId": "u", "placements": ["home_banner"], "context": {"location": {"lat": 52.5220, "lon": 13.4135}}}"""),
                Weights.DEFAULT, Instant.now()).input();
        assertThat(resolved.context().getLocation().getPlaceType()).isEqualTo("restaurant");
        assertThat(resolved.context().getLocation().inGeofence("food_court")).isTrue();
        DecisionInput explicit = reader.read(json.readTree("""
                {"userId": "u", "placements": ["home_banner"], "context": {"location": {"lat": 52.5220, "lon": 13.4135, "placeType": "office"}}}"""),
                Weights.DEFAULT, Instant.now()).input();
        assertThat(explicit.context().getLocation().getPlaceType()).isEqualTo("office");
    }

    @Test
    void aBadFileNamesTheEntry(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "geofences:\n  - name: x\n    circle: {lat: 95, lon: 1, radiusMeters: 10}\n");
        IOException e = assertThrows(IOException.class, () -> Geofences.load(f));
        assertThat(e.getMessage()).contains("geofences[0]").contains("lat");
    }
}
