package dev.kairos.android;

import static dev.kairos.android.EventServer.context;
import static org.assertj.core.api.Assertions.assertThat;
import static org.robolectric.Shadows.shadowOf;

import android.app.Application;
import android.content.pm.PackageInfo;
import android.os.Build;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;
import org.robolectric.shadows.ShadowBuild;

/** What every event says about the device, the app and the user's settings. */
@RunWith(RobolectricTestRunner.class)
public class DeviceContextTest {

  @Rule public final EventServer server = new EventServer();
  private KairosAndroid kairos;
  private Locale locale;
  private TimeZone zone;

  @Before
  public void setUp() throws Exception {
    locale = Locale.getDefault();
    zone = TimeZone.getDefault();
    Application app = RuntimeEnvironment.getApplication();
    PackageInfo info = shadowOf(app.getPackageManager()).getInternalMutablePackageInfo(app.getPackageName());
    info.versionName = "4.2.0";
    info.setLongVersionCode(42);
    ShadowBuild.setModel("Pixel 8");
    ShadowBuild.setManufacturer("Google");
  }

  @After
  public void tearDown() throws Exception {
    if (kairos != null) {
      kairos.close();
    }
    Locale.setDefault(locale);
    TimeZone.setDefault(zone);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    return (Map<String, Object>) parent.get(key);
  }

  private Map<String, Object> sentContext() throws Exception {
    kairos = KairosAndroid.builder(RuntimeEnvironment.getApplication()).writeKey("wk_test").baseUrl(server.url()).build();
    kairos.track("click", Map.of("target", "x"));
    kairos.flush();
    Map<String, Object> event = server.next();
    assertThat(event).isNotNull();
    return context(event);
  }

  @Test
  public void describesTheDeviceAppAndScreen() throws Exception {
    Map<String, Object> context = sentContext();

    Map<String, Object> device = map(context, "device");
    assertThat(device).containsEntry("type", "mobile").containsEntry("os", "android")
        .containsEntry("osVersion", Build.VERSION.RELEASE).containsEntry("model", "Pixel 8")
        .containsEntry("manufacturer", "Google").containsEntry("appVersion", "4.2.0");
    assertThat(map(context, "app")).containsEntry("build", "42")
        .containsEntry("namespace", RuntimeEnvironment.getApplication().getPackageName());
    Map<String, Object> screen = map(context, "screen");
    assertThat((Integer) screen.get("width")).isPositive();
    assertThat((Integer) screen.get("height")).isPositive();
  }

  @Test
  public void sendsTheLocaleAndTimeZoneInForceWhenTheEventHappens() throws Exception {
    Locale.setDefault(Locale.forLanguageTag("de-DE"));
    TimeZone.setDefault(TimeZone.getTimeZone("Europe/Berlin"));

    Map<String, Object> context = sentContext();

    assertThat(context).containsEntry("locale", "de-DE").containsEntry("timezone", "Europe/Berlin");
  }

  @Test
  @Config(qualifiers = "sw720dp")
  public void aLargeScreenIsATablet() throws Exception {
    assertThat(map(sentContext(), "device")).containsEntry("type", "tablet");
  }
}
