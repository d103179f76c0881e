package dev.kairos.android;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assert.assertThrows;
import static org.junit.Assume.assumeTrue;
import static org.robolectric.Shadows.shadowOf;

import android.Manifest;
import android.app.Activity;
import android.app.Application;
import android.os.Looper;
import android.os.StrictMode;
import java.io.File;
import java.time.Duration;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.android.controller.ActivityController;

/**
 * Everything the app calls on the main thread, and every lifecycle callback, leaves the disk and the
 * network alone there and leaves the main looper idle.
 */
@RunWith(RobolectricTestRunner.class)
public class MainThreadTest {

  @Rule public final EventServer server = new EventServer();
  private Application app;
  private String dataDir;
  private MainThreadIo io;

  @Before
  public void setUp() throws Exception {
    app = RuntimeEnvironment.getApplication();
    dataDir = new File(app.getApplicationInfo().dataDir).getCanonicalPath();
    shadowOf(app).grantPermissions(Manifest.permission.ACCESS_FINE_LOCATION);
  }

  @After
  public void tearDown() throws Exception {
    if (io != null) {
      io.uninstall();
    }
    StrictMode.setThreadPolicy(StrictMode.ThreadPolicy.LAX);
  }

  private void watchMainThread() {
    StrictMode.setThreadPolicy(new StrictMode.ThreadPolicy.Builder()
        .detectDiskReads().detectDiskWrites().detectNetwork().penaltyDeath().build());
    io = MainThreadIo.install(Looper.getMainLooper().getThread(), dataDir);
  }

  @Test
  public void strictModeCatchesTheFrameworksDiskAccessOnTheMainThread() {
    watchMainThread();

    // What the SDK must never do on the main thread: getFilesDir() and friends create the directory.
    assertThrows(RuntimeException.class, () -> app.getNoBackupFilesDir());
  }

  @Test
  public void theRecorderCatchesPlainJavaFileAccessOnTheMainThread() {
    io = MainThreadIo.install(Looper.getMainLooper().getThread(), dataDir);
    assumeTrue("this JDK has no security manager", io != null);

    new File(dataDir, "anything").exists();

    assertThat(io.accesses()).containsExactly("read " + new File(dataDir, "anything").getPath());
  }

  @Test
  public void setUpTrackingAndLifecycleDoNoIoOnTheMainThread() throws Exception {
    watchMainThread();

    KairosAndroid kairos = KairosAndroid.builder(app).writeKey("wk_test").baseUrl(server.url())
        .trackLifecycleEvents(true).recordScreenViews(true).collectLocation(true)
        .flushInterval(Duration.ofMillis(50)).build();
    ActivityController<Activity> activity = Robolectric.buildActivity(Activity.class).setup();
    kairos.track("click", Map.of("target", "buy"));
    kairos.scrollTracker().onScrolled(0, 1000, 1000);
    kairos.identify("u-1", Map.of("plan", "pro"));
    kairos.flush();
    activity.pause().stop();
    shadowOf(Looper.getMainLooper()).idle();

    // The SDK did its I/O (on its own threads): the events arrived, the files exist.
    assertThat(server.nextOf("custom", KairosAndroid.APPLICATION_BACKGROUNDED)).isNotNull();
    if (io != null) {
      assertThat(io.accesses()).as("disk or network access on the main thread").isEmpty();
      io.uninstall();
      io = null;
    }
    StrictMode.setThreadPolicy(StrictMode.ThreadPolicy.LAX);
    assertThat(new File(dataDir, "files/kairos")).isDirectory();
    assertThat(new File(dataDir, "shared_prefs")).isDirectory();
    kairos.close();
  }

  @Test
  public void leavesTheMainLooperIdleWithNothingScheduled() throws Exception {
    KairosAndroid kairos = KairosAndroid.builder(app).writeKey("wk_test").baseUrl(server.url())
        .trackLifecycleEvents(true).recordScreenViews(true).build();
    ActivityController<Activity> activity = Robolectric.buildActivity(Activity.class).setup();
    kairos.track("click", Map.of("target", "buy"));
    activity.pause().stop();
    kairos.awaitChores(5000);
    assertThat(server.nextOf("custom", KairosAndroid.APPLICATION_BACKGROUNDED)).isNotNull();

    assertThat(shadowOf(Looper.getMainLooper()).isIdle()).isTrue();
    assertThat(shadowOf(Looper.getMainLooper()).getNextScheduledTaskTime())
        .as("no timer of the SDK's on the main thread").isEqualTo(Duration.ZERO);
    kairos.close();
  }
}
