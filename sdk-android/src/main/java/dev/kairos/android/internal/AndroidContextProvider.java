package dev.kairos.android.internal;

import android.content.Context;
import dev.kairos.sdk.ContextProvider;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Android context of every event: device, app and screen once; locale, time zone, network type
 * and (opted in and permitted only) location per event. The core calls both methods on its own
 * background thread, never on the app's.
 */
public final class AndroidContextProvider implements ContextProvider {

  private final Context context;
  private final NetworkMonitor network;
  private final LocationSource location;

  public AndroidContextProvider(Context context, NetworkMonitor network, LocationSource location) {
    this.context = context;
    this.network = network;
    this.location = location;
  }

  @Override
  public Map<String, Object> staticContext() {
    return DeviceContext.collect(context);
  }

  @Override
  public Map<String, Object> eventContext() {
    Map<String, Object> now = new LinkedHashMap<>();
    DeviceContext.putLocaleAndTimeZone(now);
    now.put("network", network.networkType());
    Map<String, Object> where = location.current();
    if (where != null) {
      now.put("location", where);
    }
    return now;
  }
}
