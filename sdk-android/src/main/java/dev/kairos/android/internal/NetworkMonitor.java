package dev.kairos.android.internal;

import android.net.ConnectivityManager;
import android.net.Network;
import android.net.NetworkCapabilities;

/**
 * Follows the default network: keeps its type for the event context (so that reading it costs a
 * field read, not a system call per event) and says when connectivity comes back, so that queued
 * events go out at once instead of at the next periodic flush.
 *
 * <p>Needs {@code ACCESS_NETWORK_STATE} (declared in the SDK's manifest); without it the type is
 * {@code "unknown"} and no regained signal comes. Callbacks run on the framework's connectivity
 * thread, never the main thread.
 */
public final class NetworkMonitor extends ConnectivityManager.NetworkCallback {

  /** {@code context.network} on Wi-Fi. */
  public static final String WIFI = "wifi";
  /** {@code context.network} on a mobile network. */
  public static final String CELLULAR = "cellular";
  /** {@code context.network} on a wired network. */
  public static final String ETHERNET = "ethernet";
  /** {@code context.network} on another transport (Bluetooth, VPN only, ...). */
  public static final String OTHER = "other";
  /** {@code context.network} with no network. */
  public static final String NONE = "none";
  /** {@code context.network} when the SDK cannot tell (no permission, capabilities not known yet). */
  public static final String UNKNOWN = "unknown";

  /** Told when the device goes from no network to a network. */
  public interface Listener {
    void onConnectivityRegained();
  }

  private final ConnectivityManager connectivity;
  private final Listener listener;
  private volatile boolean connected;
  private volatile String type = UNKNOWN;
  private volatile boolean registered;

  public NetworkMonitor(ConnectivityManager connectivity, Listener listener) {
    this.connectivity = connectivity;
    this.listener = listener;
  }

  /** Reads the current state and starts following changes. */
  public void start() {
    if (connectivity == null) {
      return;
    }
    try {
      Network active = connectivity.getActiveNetwork();
      connected = active != null;
      type = active == null ? NONE : typeOf(connectivity.getNetworkCapabilities(active));
      connectivity.registerDefaultNetworkCallback(this);
      registered = true;
    } catch (RuntimeException e) {
      // SecurityException: the app removed ACCESS_NETWORK_STATE from the merged manifest;
      // TooManyRequestsException (API 30+): the app holds 100 network callbacks already.
      type = UNKNOWN;
      connected = true; // so that nothing waits for a "regained" that can never be seen
    }
  }

  /** Stops following changes. */
  public void stop() {
    if (registered) {
      registered = false;
      try {
        connectivity.unregisterNetworkCallback(this);
      } catch (RuntimeException ignored) {
        // already unregistered by the framework: nothing left to stop
      }
    }
  }

  /** The type of the default network now: wifi, cellular, ethernet, other, none or unknown. */
  public String networkType() {
    return type;
  }

  @Override
  public void onAvailable(Network network) {
    boolean wasConnected = connected;
    connected = true;
    if (NONE.equals(type)) {
      type = UNKNOWN; // until the capabilities arrive
    }
    if (!wasConnected) {
      listener.onConnectivityRegained();
    }
  }

  @Override
  public void onCapabilitiesChanged(Network network, NetworkCapabilities capabilities) {
    type = typeOf(capabilities);
  }

  @Override
  public void onLost(Network network) {
    connected = false;
    type = NONE;
  }

  static String typeOf(NetworkCapabilities capabilities) {
    if (capabilities == null) {
      return UNKNOWN;
    }
    if (capabilities.hasTransport(NetworkCapabilities.TRANSPORT_WIFI)) {
      return WIFI;
    }
    if (capabilities.hasTransport(NetworkCapabilities.TRANSPORT_CELLULAR)) {
      return CELLULAR;
    }
    if (capabilities.hasTransport(NetworkCapabilities.TRANSPORT_ETHERNET)) {
      return ETHERNET;
    }
    return OTHER;
  }
}
