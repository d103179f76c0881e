package dev.kairos.android;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assert.assertThrows;
import static org.robolectric.Shadows.shadowOf;

import android.app.Activity;
import android.app.Application;
import android.content.Context;
import android.net.ConnectivityManager;
import android.os.Bundle;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;

/** Set-up from the manifest's meta-data or from code, and the shared instance. */
@RunWith(RobolectricTestRunner.class)
public class SetupTest {

  @Rule public final EventServer server = new EventServer();
  private Application app;
  private KairosAndroid kairos;

  @Before
  public void setUp() throws Exception {
    app = RuntimeEnvironment.getApplication();
  }

  @After
  public void tearDown() throws Exception {
    if (kairos != null) {
      kairos.close();
    }
  }

  private void metaData(Bundle bundle) {
    shadowOf(app.getPackageManager()).getInternalMutablePackageInfo(app.getPackageName()).applicationInfo.metaData = bundle;
  }

  @Test
  public void withBuildsTheSharedInstanceFromManifestMetaData() throws Exception {
    Bundle meta = new Bundle();
    meta.putString(KairosAndroid.META_WRITE_KEY, "wk_from_manifest");
    meta.putString(KairosAndroid.META_BASE_URL, server.url());
    meta.putBoolean(KairosAndroid.META_TRACK_LIFECYCLE_EVENTS, true);
    metaData(meta);

    kairos = KairosAndroid.with(app);
    assertThat(KairosAndroid.with(app)).isSameAs(kairos);
    assertThat(dev.kairos.android.Kairos.with(app)).as("the documented entry point").isSameAs(kairos);
    kairos.awaitChores(5000);
    kairos.flush();

    Map<String, Object> installed = server.nextOf("custom", KairosAndroid.APPLICATION_INSTALLED);
    assertThat(installed).as("lifecycle events switched on in the manifest").isNotNull();
  }

  @Test
  public void sendsWithTheWriteKeyFromTheManifest() throws Exception {
    Bundle meta = new Bundle();
    meta.putString(KairosAndroid.META_WRITE_KEY, "wk_from_manifest");
    meta.putString(KairosAndroid.META_BASE_URL, server.url());
    metaData(meta);

    kairos = KairosAndroid.with(app);
    kairos.track("click", Map.of("target", "x"));
    kairos.flush();

    assertThat(server.next()).isNotNull();
    assertThat(server.lastAuthorization()).isEqualTo("Bearer wk_from_manifest");
  }

  @Test
  public void codeWinsOverTheManifest() throws Exception {
    Bundle meta = new Bundle();
    meta.putString(KairosAndroid.META_WRITE_KEY, "wk_from_manifest");
    meta.putString(KairosAndroid.META_BASE_URL, "http://127.0.0.1:9");
    metaData(meta);

    kairos = KairosAndroid.builder(app).writeKey("wk_from_code").baseUrl(server.url()).build();
    kairos.track("click", Map.of("target", "x"));
    kairos.flush();

    assertThat(server.next()).isNotNull();
    assertThat(server.lastAuthorization()).isEqualTo("Bearer wk_from_code");
  }

  @Test
  public void aMissingWriteKeySaysWhereToPutIt() {
    metaData(null);

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> KairosAndroid.with(app));

    assertThat(e).hasMessageContaining("writeKey").hasMessageContaining(KairosAndroid.META_WRITE_KEY);
  }

  @Test
  public void theSharedInstanceCanBeSetOnceBeforeUse() throws Exception {
    kairos = KairosAndroid.builder(app).writeKey("wk_test").baseUrl(server.url()).build();
    KairosAndroid.setSingletonInstance(kairos);

    assertThat(KairosAndroid.with(app)).isSameAs(kairos);
    KairosAndroid other = KairosAndroid.builder(app).writeKey("wk_test").baseUrl(server.url()).build();
    try {
      assertThrows(IllegalStateException.class, () -> KairosAndroid.setSingletonInstance(other));
    } finally {
      other.close();
    }
  }

  @Test
  public void closeStopsFollowingTheLifecycleAndTheNetworkAndFreesTheSharedInstance() throws Exception {
    kairos = KairosAndroid.builder(app).writeKey("wk_test").baseUrl(server.url()).build();
    KairosAndroid.setSingletonInstance(kairos);
    ConnectivityManager connectivity = (ConnectivityManager) app.getSystemService(Context.CONNECTIVITY_SERVICE);
    assertThat(shadowOf(connectivity).getNetworkCallbacks()).hasSize(1);

    kairos.close();

    assertThat(shadowOf(connectivity).getNetworkCallbacks()).isEmpty();
    Robolectric.buildActivity(Activity.class).setup();
    assertThat(kairos.inForeground()).as("activity starts are no longer counted").isFalse();
    KairosAndroid next = KairosAndroid.builder(app).writeKey("wk_test").baseUrl(server.url()).build();
    KairosAndroid.setSingletonInstance(next); // the closed one no longer holds the place
    kairos = next;
  }

  @Test
  public void blankArgumentsAreRejectedByName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> KairosAndroid.builder(app).baseUrl(" "));

    assertThat(e).hasMessageContaining("baseUrl");
  }
}
