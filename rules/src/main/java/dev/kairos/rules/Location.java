package dev.kairos.rules;

import java.util.Objects;
import java.util.Set;

/**
 * Where the user is, as far as the app knows and is allowed to say. Coordinates are optional
 * ({@link #hasCoordinates()}); {@code placeType} is the kind of place the app or a geocoder
 * resolved ({@code restaurant}, {@code home}, {@code store}, {@code transit}, …, or {@code ""});
 * {@code geofences} are the names of app-defined geofences the user is inside.
 *
 * <pre>Context( location.placeType == "restaurant" )
 *Context( location.inGeofence("checkout_zone") )</pre>
 */
public final class Location {
    /** No location known. */
    public static final Location UNKNOWN = new Location(Double.NaN, Double.NaN, "", Set.of(), "");

    private final double lat;
    private final double lon;
    private final String placeType;
    private final Set<String> geofences;
    private final String country;

    /**
     * @param lat       latitude in degrees, {@code NaN} when unknown
     * @param lon       longitude in degrees, {@code NaN} when unknown
     * @param placeType lower-case place type, empty when unknown
     * @param geofences names of geofences the user is in (copied)
     * @param country   ISO 3166-1 alpha-2 upper-case, empty when unknown
     */
    public Location(double lat, double lon, String placeType, Set<String> geofences, String country) {
        this.lat = lat;
        this.lon = lon;
        this.placeType = placeType == null ? "" : placeType.toLowerCase(java.util.Locale.ROOT);
        this.geofences = geofences == null ? Set.of() : Set.copyOf(geofences);
        this.country = country == null ? "" : country.toUpperCase(java.util.Locale.ROOT);
    }

    public double getLat() { return lat; }
    public double getLon() { return lon; }
    public String getPlaceType() { return placeType; }
    public Set<String> getGeofences() { return geofences; }
    public String getCountry() { return country; }

    /** True when both latitude and longitude are known. */
    public boolean hasCoordinates() { return !Double.isNaN(lat) && !Double.isNaN(lon); }

    /** True when the user is inside the named geofence. */
    public boolean inGeofence(String name) { return geofences.contains(name); }

    @Override public boolean equals(Object o) {
        return o instanceof Location l && Double.compare(lat, l.lat) == 0 && Double.compare(lon, l.lon) == 0
                && placeType.equals(l.placeType) && geofences.equals(l.geofences) && country.equals(l.country);
    }
    @Override public int hashCode() { return Objects.hash(lat, lon, placeType, geofences, country); }
    @Override public String toString() { return "Location{" + placeType + " " + lat + "," + lon + "}"; }
}
