package dev.kairos.android.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.robolectric.Shadows.shadowOf;

import android.content.Context;
import android.net.ConnectivityManager;
import android.net.Network;
import android.net.NetworkCapabilities;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.shadows.ShadowNetwork;
import org.robolectric.shadows.ShadowNetworkCapabilities;

@RunWith(RobolectricTestRunner.class)
public class NetworkMonitorTest {

  private ConnectivityManager connectivity;
  private final AtomicInteger regained = new AtomicInteger();
  private NetworkMonitor monitor;

  @Before
  public void setUp() {
    connectivity = (ConnectivityManager) RuntimeEnvironment.getApplication().getSystemService(Context.CONNECTIVITY_SERVICE);
    monitor = new NetworkMonitor(connectivity, regained::incrementAndGet);
  }

  @Test
  public void signalsRegainedOnlyAfterTheNetworkWasLost() {
    monitor.start(); // Robolectric's default: connected
    Network network = ShadowNetwork.newInstance(7);
    monitor.onAvailable(network); // the framework's first report of the network it already has
    assertThat(regained).hasValue(0);

    monitor.onLost(network);
    assertThat(monitor.networkType()).isEqualTo(NetworkMonitor.NONE);
    monitor.onAvailable(network);
    monitor.onAvailable(network);

    assertThat(regained).hasValue(1);
  }

  @Test
  public void startingWithoutANetworkCountsTheFirstOneAsRegained() {
    shadowOf(connectivity).setActiveNetworkInfo(null);
    monitor.start();
    assertThat(monitor.networkType()).isEqualTo(NetworkMonitor.NONE);

    monitor.onAvailable(ShadowNetwork.newInstance(3));

    assertThat(regained).hasValue(1);
  }

  @Test
  public void followsTheTransportOfTheDefaultNetwork() {
    monitor.start();
    Network network = ShadowNetwork.newInstance(5);

    monitor.onCapabilitiesChanged(network, capabilities(NetworkCapabilities.TRANSPORT_WIFI));
    assertThat(monitor.networkType()).isEqualTo(NetworkMonitor.WIFI);
    monitor.onCapabilitiesChanged(network, capabilities(NetworkCapabilities.TRANSPORT_CELLULAR));
    assertThat(monitor.networkType()).isEqualTo(NetworkMonitor.CELLULAR);
    monitor.onCapabilitiesChanged(network, capabilities(NetworkCapabilities.TRANSPORT_BLUETOOTH));
    assertThat(monitor.networkType()).isEqualTo(NetworkMonitor.OTHER);
  }

  @Test
  public void registersWithTheFrameworkAndUnregistersOnStop() {
    monitor.start();
    assertThat(shadowOf(connectivity).getNetworkCallbacks()).contains(monitor);

    monitor.stop();

    assertThat(shadowOf(connectivity).getNetworkCallbacks()).doesNotContain(monitor);
  }

  private static NetworkCapabilities capabilities(int transport) {
    NetworkCapabilities caps = ShadowNetworkCapabilities.newInstance();
    shadowOf(caps).addTransportType(transport);
    return caps;
  }
}
