package dev.kairos.android;

import static dev.kairos.android.EventServer.context;
import static org.assertj.core.api.Assertions.assertThat;
import static org.robolectric.Shadows.shadowOf;

import android.Manifest;
import android.app.Application;
import android.content.Context;
import android.location.Location;
import android.location.LocationManager;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;

/** Location goes into events only when the app opted in and holds the permission. */
@RunWith(RobolectricTestRunner.class)
public class LocationTest {

  @Rule public final EventServer server = new EventServer();
  private KairosAndroid kairos;
  private Application app;

  @Before
  public void setUp() throws Exception {
    app = RuntimeEnvironment.getApplication();
    Location berlin = new Location(LocationManager.GPS_PROVIDER);
    berlin.setLatitude(52.52);
    berlin.setLongitude(13.405);
    berlin.setAccuracy(20f);
    berlin.setTime(1_000);
    LocationManager locations = (LocationManager) app.getSystemService(Context.LOCATION_SERVICE);
    shadowOf(locations).setLastKnownLocation(LocationManager.GPS_PROVIDER, berlin);
  }

  @After
  public void tearDown() throws Exception {
    if (kairos != null) {
      kairos.close();
    }
  }

  private Map<String, Object> oneEventWith(boolean optedIn) throws Exception {
    kairos = KairosAndroid.builder(app).writeKey("wk_test").baseUrl(server.url()).collectLocation(optedIn).build();
    kairos.track("click", Map.of("target", "map"));
    kairos.flush();
    Map<String, Object> event = server.next();
    assertThat(event).isNotNull();
    return event;
  }

  @Test
  public void optedInWithPermissionSendsTheLastKnownLocation() throws Exception {
    shadowOf(app).grantPermissions(Manifest.permission.ACCESS_FINE_LOCATION);

    Map<String, Object> event = oneEventWith(true);

    @SuppressWarnings("unchecked")
    Map<String, Object> location = (Map<String, Object>) context(event).get("location");
    assertThat(location).containsEntry("lat", 52.52).containsEntry("lon", 13.405);
  }

  @Test
  public void coarsePermissionIsEnough() throws Exception {
    shadowOf(app).grantPermissions(Manifest.permission.ACCESS_COARSE_LOCATION);

    assertThat(context(oneEventWith(true))).containsKey("location");
  }

  @Test
  public void optedInWithoutPermissionSendsNoLocation() throws Exception {
    shadowOf(app).denyPermissions(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION);

    assertThat(context(oneEventWith(true))).doesNotContainKey("location");
  }

  @Test
  public void permissionWithoutOptInSendsNoLocation() throws Exception {
    shadowOf(app).grantPermissions(Manifest.permission.ACCESS_FINE_LOCATION);

    assertThat(context(oneEventWith(false))).doesNotContainKey("location");
  }
}
