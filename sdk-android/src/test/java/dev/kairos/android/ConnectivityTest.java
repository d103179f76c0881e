package dev.kairos.android;

import static dev.kairos.android.EventServer.context;
import static org.assertj.core.api.Assertions.assertThat;
import static org.robolectric.Shadows.shadowOf;

import android.content.Context;
import android.net.ConnectivityManager;
import android.net.Network;
import android.net.NetworkCapabilities;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.shadows.ShadowNetwork;
import org.robolectric.shadows.ShadowNetworkCapabilities;

/** Coming back online sends what was queued, and events say which network they were sent on. */
@RunWith(RobolectricTestRunner.class)
public class ConnectivityTest {

  @Rule public final EventServer server = new EventServer();
  private KairosAndroid kairos;
  private ConnectivityManager connectivity;

  @Before
  public void setUp() throws Exception {
    connectivity = (ConnectivityManager) RuntimeEnvironment.getApplication().getSystemService(Context.CONNECTIVITY_SERVICE);
  }

  @After
  public void tearDown() throws Exception {
    if (kairos != null) {
      kairos.close();
    }
  }

  @Test
  public void flushesWhenTheNetworkComesBack() throws Exception {
    shadowOf(connectivity).setActiveNetworkInfo(null); // offline at start
    kairos = KairosAndroid.builder(RuntimeEnvironment.getApplication()).writeKey("wk_test").baseUrl(server.url())
        .flushAt(1000).flushInterval(Duration.ofHours(1)).build();
    kairos.track("click", Map.of("target", "offline"));
    assertThat(server.next(300)).isNull();

    Network wifi = ShadowNetwork.newInstance(11);
    for (ConnectivityManager.NetworkCallback callback : callbacks()) {
      callback.onAvailable(wifi);
      callback.onCapabilitiesChanged(wifi, transport(NetworkCapabilities.TRANSPORT_WIFI));
    }

    Map<String, Object> sent = server.next();
    assertThat(sent).isNotNull();
    assertThat(EventServer.properties(sent).get("target")).isEqualTo("offline");
    assertThat(context(sent).get("network")).as("recorded while offline").isEqualTo("none");

    kairos.track("click", Map.of("target", "online"));
    kairos.flush();
    Map<String, Object> online = server.next();
    assertThat(context(online).get("network")).isEqualTo("wifi");
  }

  private List<ConnectivityManager.NetworkCallback> callbacks() {
    List<ConnectivityManager.NetworkCallback> callbacks = new ArrayList<>(shadowOf(connectivity).getNetworkCallbacks());
    assertThat(callbacks).as("the SDK follows the default network").isNotEmpty();
    return callbacks;
  }

  private static NetworkCapabilities transport(int transport) {
    NetworkCapabilities caps = ShadowNetworkCapabilities.newInstance();
    shadowOf(caps).addTransportType(transport);
    return caps;
  }
}
