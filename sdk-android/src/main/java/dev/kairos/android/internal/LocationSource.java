package dev.kairos.android.internal;

import android.Manifest;
import android.content.Context;
import android.content.pm.PackageManager;
import android.location.Location;
import android.location.LocationManager;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The device's last known location, for {@code context.location}, and only when the app opted in
 * <em>and</em> holds a location permission. It never asks for a fix (no GPS is switched on); it reuses
 * what other components already know, at most once a {@code maxAgeMillis}, so that an event costs no
 * system call.
 *
 * <p>Thread-safe; {@link #current()} may be called from any thread.
 */
public final class LocationSource {

  private static final String[] PROVIDERS = {
    LocationManager.FUSED_PROVIDER, LocationManager.GPS_PROVIDER,
    LocationManager.NETWORK_PROVIDER, LocationManager.PASSIVE_PROVIDER
  };

  private final Context context;
  private final boolean optedIn;
  private final long maxAgeMillis;
  private final LongSupplier clockMillis;

  private Map<String, Object> cached;
  private long readAtMillis;
  private boolean hasRead;

  /**
   * @param optedIn whether the app asked for location context
   * @param maxAgeMillis how long one reading is reused
   * @param clockMillis a monotonic clock, e.g. {@code SystemClock::elapsedRealtime}
   */
  public LocationSource(Context context, boolean optedIn, long maxAgeMillis, LongSupplier clockMillis) {
    this.context = context;
    this.optedIn = optedIn;
    this.maxAgeMillis = maxAgeMillis;
    this.clockMillis = clockMillis;
  }

  /** {@code {lat, lon, accuracyMeters}}, or {@code null} when not opted in, not permitted or unknown. */
  public synchronized Map<String, Object> current() {
    if (!optedIn || !permitted()) {
      cached = null; // a permission revoked in settings stops collection at once
      hasRead = false;
      return null;
    }
    long now = clockMillis.getAsLong();
    if (!hasRead || now - readAtMillis >= maxAgeMillis) {
      cached = read();
      readAtMillis = now;
      hasRead = true;
    }
    return cached;
  }

  boolean permitted() {
    return context.checkSelfPermission(Manifest.permission.ACCESS_FINE_LOCATION) == PackageManager.PERMISSION_GRANTED
        || context.checkSelfPermission(Manifest.permission.ACCESS_COARSE_LOCATION) == PackageManager.PERMISSION_GRANTED;
  }

  private Map<String, Object> read() {
    LocationManager manager = (LocationManager) context.getSystemService(Context.LOCATION_SERVICE);
    if (manager == null) {
      return null;
    }
    Location best = null;
    for (String provider : PROVIDERS) {
      try {
        Location candidate = manager.getLastKnownLocation(provider);
        if (candidate != null && (best == null || candidate.getTime() > best.getTime())) {
          best = candidate;
        }
      } catch (SecurityException | IllegalArgumentException e) {
        // coarse permission only (no GPS), or a provider this device lacks: try the next
      }
    }
    if (best == null) {
      return null;
    }
    Map<String, Object> location = new LinkedHashMap<>();
    location.put("lat", best.getLatitude());
    location.put("lon", best.getLongitude());
    if (best.hasAccuracy()) {
      location.put("accuracyMeters", (double) best.getAccuracy());
    }
    return location;
  }
}
