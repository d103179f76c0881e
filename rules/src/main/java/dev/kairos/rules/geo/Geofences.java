package dev.kairos.rules.geo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Named areas with a place type, read from a YAML or JSON file:
 * <pre>geofences:
 *  - name: alexanderplatz_food_court
 *    placeType: restaurant
 *    circle: {lat: 52.5219, lon: 13.4132, radiusMeters: 150}
 *  - name: mall_of_berlin
 *    placeType: store
 *    polygon: [[52.5106, 13.3807], [52.5113, 13.3846], [52.5093, 13.3852], [52.5087, 13.3812]]</pre>
 * A request with coordinates gets the names of every geofence containing it, and, when it sent
 * no place type, the place type of the first one in file order. Immutable and thread-safe.
 */
public final class Geofences {
    /** No geofences: coordinates are left as they are. */
    public static final Geofences NONE = new Geofences(List.of());

    /** One area: a circle (center + radius) or a polygon (lat/lon vertices, in order). */
    public record Area(String name, String placeType, double lat, double lon, double radiusMeters, double[][] polygon) {
        boolean contains(double pLat, double pLon) {
            if (polygon == null) return distanceMeters(lat, lon, pLat, pLon) <= radiusMeters;
            boolean inside = false;
            for (int i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
                double yi = polygon[i][0], xi = polygon[i][1], yj = polygon[j][0], xj = polygon[j][1];
                if ((yi > pLat) != (yj > pLat) && pLon < (xj - xi) * (pLat - yi) / (yj - yi) + xi) inside = !inside;
            }
            return inside;
        }
    }

    /** What the geofences say about a point. */
    public record Match(String placeType, Set<String> names) {}

    private final List<Area> areas;

    public Geofences(List<Area> areas) {
        this.areas = List.copyOf(areas);
    }

    public List<Area> areas() { return areas; }

    /** The geofences containing the point; {@code placeType} is {@code null} when none does. */
    public Match match(double lat, double lon) {
        String placeType = null;
        Set<String> names = new LinkedHashSet<>();
        for (Area a : areas) {
            if (a.contains(lat, lon)) {
                names.add(a.name());
                if (placeType == null && a.placeType() != null) placeType = a.placeType();
            }
        }
        return new Match(placeType, names);
    }

    /** Great-circle distance in meters (haversine). */
    static double distanceMeters(double lat1, double lon1, double lat2, double lon2) {
        double dLat = Math.toRadians(lat2 - lat1);
        double dLon = Math.toRadians(lon2 - lon1);
        double a = Math.sin(dLat / 2) * Math.sin(dLat / 2)
                + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
        return 6_371_000 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
    }

    /** Reads a geofence file ({@code .json}, else YAML); throws with the offending entry on bad input. */
    public static Geofences load(Path file) throws IOException {
        ObjectMapper mapper = file.toString().endsWith(".json") ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
        JsonNode root = mapper.readTree(file.toFile());
        JsonNode list = root == null ? null : root.get("geofences");
        if (list == null || !list.isArray()) throw new IOException(file + ": expected a 'geofences:' list");
        List<Area> areas = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode g = list.get(i);
            String where = file + ": geofences[" + i + "]";
            String name = g.path("name").asText("");
            if (name.isBlank()) throw new IOException(where + ": name is required");
            String placeType = g.hasNonNull("placeType") ? g.get("placeType").asText().toLowerCase(java.util.Locale.ROOT) : null;
            if (g.has("circle")) {
                JsonNode c = g.get("circle");
                double lat = coordinate(c, "lat", 90, where), lon = coordinate(c, "lon", 180, where);
                double r = c.path("radiusMeters").asDouble(-1);
                if (!(r > 0)) throw new IOException(where + ": circle.radiusMeters must be > 0");
                areas.add(new Area(name, placeType, lat, lon, r, null));
            } else if (g.has("polygon")) {
                JsonNode p = g.get("polygon");
                if (!p.isArray() || p.size() < 3) throw new IOException(where + ": polygon needs at least 3 [lat, lon] points");
                double[][] pts = new double[p.size()][];
                for (int k = 0; k < p.size(); k++) {
                    JsonNode pt = p.get(k);
                    if (!pt.isArray() || pt.size() != 2) throw new IOException(where + ": polygon[" + k + "] must be [lat, lon]");
                    pts[k] = new double[] {pt.get(0).asDouble(), pt.get(1).asDouble()};
                }
                areas.add(new Area(name, placeType, Double.NaN, Double.NaN, 0, pts));
            } else {
                throw new IOException(where + ": needs a circle or a polygon");
            }
        }
        return new Geofences(areas);
    }

    private static double coordinate(JsonNode n, String field, double max, String where) throws IOException {
        if (!n.path(field).isNumber()) throw new IOException(where + ": circle." + field + " must be a number");
        double v = n.get(field).asDouble();
        if (v < -max || v > max) throw new IOException(where + ": circle." + field + " out of range");
        return v;
    }
}
