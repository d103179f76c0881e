package dev.kairos.android;

import static dev.kairos.android.EventServer.properties;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.robolectric.Shadows.shadowOf;

import android.app.Activity;
import android.app.ActivityManager;
import android.content.Context;
import android.app.Application;
import android.content.pm.PackageInfo;
import org.robolectric.RuntimeEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.android.controller.ActivityController;

/** Foreground and background: what the app's lifecycle makes the SDK send, and when. */
@RunWith(RobolectricTestRunner.class)
public class LifecycleTest {

  @Rule public final EventServer server = new EventServer();
  private KairosAndroid kairos;

  @After
  public void stop() throws Exception {
    if (kairos != null) {
      kairos.close();
    }
  }

  private KairosAndroid.Builder builder() {
    Application app = RuntimeEnvironment.getApplication();
    // Large triggers: whatever arrives was sent because of the lifecycle, not because of them.
    return KairosAndroid.builder(app).writeKey("wk_test").baseUrl(server.url())
        .flushAt(1000).flushInterval(Duration.ofHours(1));
  }

  /** Makes the activity manager rank this process as Android does while one of its activities is started. */
  private static void reportProcessInForeground() {
    Application app = RuntimeEnvironment.getApplication();
    ActivityManager.RunningAppProcessInfo info = new ActivityManager.RunningAppProcessInfo(
        app.getPackageName(), android.os.Process.myPid(), new String[] {app.getPackageName()});
    info.importance = ActivityManager.RunningAppProcessInfo.IMPORTANCE_FOREGROUND;
    shadowOf((ActivityManager) app.getSystemService(Context.ACTIVITY_SERVICE)).setProcesses(List.of(info));
  }

  /** Waits until the core's persist and send threads wait for work (a pending flush would keep the sender busy). */
  private static void awaitCoreWorkersParked() {
    await().atMost(Duration.ofSeconds(5)).during(Duration.ofMillis(200)).until(() -> {
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        String name = t.getName();
        if ((name.equals("kairos-sender") || name.equals("kairos-persist")) && t.isAlive()
            && t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
          return false;
        }
      }
      return true;
    });
  }

  @Test
  public void flushesQueuedEventsWhenTheLastActivityStops() throws Exception {
    kairos = builder().build();
    ActivityController<Activity> activity = Robolectric.buildActivity(Activity.class).setup();
    kairos.track("click", Map.of("target", "buy"));
    kairos.track("search", Map.of("query", "red dress"));
    assertThat(server.next(300)).as("nothing is sent before a trigger").isNull();

    activity.pause().stop();

    Map<String, Object> first = server.next();
    Map<String, Object> second = server.next();
    assertThat(first).isNotNull();
    assertThat(first.get("type")).isEqualTo("click");
    assertThat(second.get("type")).isEqualTo("search");
  }

  @Test
  public void sendsInstalledOpenedAndBackgroundedInOrder() throws Exception {
    kairos = builder().trackLifecycleEvents(true).build();
    ActivityController<Activity> activity = Robolectric.buildActivity(Activity.class).setup();
    activity.pause().stop();

    List<String> names = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Map<String, Object> event = server.next();
      assertThat(event).as("lifecycle event %d", i).isNotNull();
      assertThat(event.get("type")).isEqualTo("custom");
      names.add((String) properties(event).get("name"));
    }
    assertThat(names).containsExactly(
        KairosAndroid.APPLICATION_INSTALLED, KairosAndroid.APPLICATION_OPENED, KairosAndroid.APPLICATION_BACKGROUNDED);
  }

  @Test
  public void secondStartOfTheSameVersionIsNotAnInstallAndAReturnIsFromBackground() throws Exception {
    kairos = builder().trackLifecycleEvents(true).build();
    kairos.awaitChores(5000);
    kairos.close();

    kairos = builder().trackLifecycleEvents(true).build(); // the next process start
    ActivityController<Activity> activity = Robolectric.buildActivity(Activity.class).setup();
    activity.pause().stop();
    activity.restart().resume();
    activity.pause().stop();

    List<Object> seen = new ArrayList<>();
    for (Map<String, Object> e = server.next(2000); e != null; e = server.next(2000)) {
      Map<String, Object> p = properties(e);
      seen.add(p.get("name") + (p.containsKey("fromBackground") ? " fromBackground=" + p.get("fromBackground") : ""));
    }
    assertThat(seen).containsExactly(
        KairosAndroid.APPLICATION_INSTALLED, // the first start's, delivered with the rest
        KairosAndroid.APPLICATION_OPENED + " fromBackground=false",
        KairosAndroid.APPLICATION_BACKGROUNDED,
        KairosAndroid.APPLICATION_OPENED + " fromBackground=true",
        KairosAndroid.APPLICATION_BACKGROUNDED);
  }

  @Test
  public void aNewVersionCodeAtStartIsAnUpdate() throws Exception {
    Application app = RuntimeEnvironment.getApplication();
    PackageInfo info = shadowOf(app.getPackageManager()).getInternalMutablePackageInfo(app.getPackageName());
    info.versionName = "1.0";
    info.setLongVersionCode(1);
    kairos = builder().trackLifecycleEvents(true).build();
    kairos.awaitChores(5000);
    kairos.close();

    info.versionName = "1.1";
    info.setLongVersionCode(2);
    kairos = builder().trackLifecycleEvents(true).build(); // the first start after the update
    kairos.awaitChores(5000);
    kairos.flush();

    Map<String, Object> installed = server.next();
    Map<String, Object> updated = server.next();
    assertThat(properties(installed)).containsEntry("name", KairosAndroid.APPLICATION_INSTALLED)
        .containsEntry("version", "1.0").containsEntry("build", "1");
    assertThat(properties(updated)).containsEntry("name", KairosAndroid.APPLICATION_UPDATED)
        .containsEntry("version", "1.1").containsEntry("build", "2")
        .containsEntry("previousVersion", "1.0").containsEntry("previousBuild", "1");
  }

  @Test
  public void rotationIsNeitherABackgroundingNorANewScreenView() throws Exception {
    kairos = builder().trackLifecycleEvents(true).recordScreenViews(true).build();
    ActivityController<Activity> activity = Robolectric.buildActivity(Activity.class).setup();
    activity.recreate();
    activity.pause().stop();

    List<String> seen = new ArrayList<>();
    for (Map<String, Object> e = server.next(2000); e != null; e = server.next(2000)) {
      seen.add(e.get("type") + ":" + properties(e).get("name"));
    }
    assertThat(seen).containsExactly(
        "custom:" + KairosAndroid.APPLICATION_INSTALLED,
        "custom:" + KairosAndroid.APPLICATION_OPENED,
        "screen_view:Activity",
        "custom:" + KairosAndroid.APPLICATION_BACKGROUNDED);
  }

  @Test
  public void periodicFlushRunsOnlyWhileInTheForeground() throws Exception {
    kairos = builder().flushInterval(Duration.ofMillis(100)).build();
    kairos.track("click", Map.of("target", "in-background"));
    // Built with no activity started: the app is in the background and no timer sends.
    assertThat(server.next(1000)).isNull();

    ActivityController<Activity> activity = Robolectric.buildActivity(Activity.class).setup();
    Map<String, Object> sent = server.next();
    assertThat(sent).isNotNull();
    assertThat(properties(sent).get("target")).isEqualTo("in-background");

    activity.pause().stop();
    kairos.awaitChores(5000);
    // A flush that backgrounding asked for may still be on its way and would carry the next event:
    // wait until the core's workers are parked, with no flush outstanding.
    assertThat(kairos.kairos().flush(Duration.ofSeconds(5))).isTrue();
    awaitCoreWorkersParked();
    kairos.track("click", Map.of("target", "after-backgrounding"));
    assertThat(server.next(1000)).as("no periodic flush in the background").isNull();
  }

  @Test
  public void builtWhileAnActivityIsStartedItFlushesPeriodicallyWithoutAnotherStart() throws Exception {
    ActivityController<Activity> activity = Robolectric.buildActivity(Activity.class).setup();
    reportProcessInForeground();
    kairos = builder().flushInterval(Duration.ofMillis(100)).build(); // e.g. lazily, by with(activity)
    assertThat(kairos.inForeground()).isTrue();

    kairos.track("click", Map.of("target", "after-a-late-build"));
    Map<String, Object> sent = server.next();
    assertThat(sent).as("sent by the periodic flush, with no activity start since the build").isNotNull();
    assertThat(properties(sent).get("target")).isEqualTo("after-a-late-build");

    // That activity stopping, though its start was never seen, is a trip to the background.
    activity.pause().stop();
    kairos.awaitChores(5000);
    assertThat(kairos.kairos().flush(Duration.ofSeconds(5))).isTrue();
    awaitCoreWorkersParked();
    kairos.track("click", Map.of("target", "after-backgrounding"));
    assertThat(server.next(1000)).as("no periodic flush in the background").isNull();
  }

  @Test
  public void anActivityStartedBeforeTheBuildStoppingUnderTheNextOneIsNoBackgrounding() throws Exception {
    ActivityController<Activity> first = Robolectric.buildActivity(Activity.class).setup();
    reportProcessInForeground();
    kairos = builder().trackLifecycleEvents(true).build();
    kairos.awaitChores(5000);

    first.pause(); // the user opens a second screen
    ActivityController<Activity> second = Robolectric.buildActivity(Activity.class).setup();
    first.stop();
    second.pause().stop(); // and leaves the app

    List<String> names = new ArrayList<>();
    for (Map<String, Object> e = server.next(2000); e != null; e = server.next(2000)) {
      names.add((String) properties(e).get("name"));
    }
    assertThat(names).as("no Opened (the app was open already) and one Backgrounded, when the second screen stops")
        .containsExactly(KairosAndroid.APPLICATION_INSTALLED, KairosAndroid.APPLICATION_BACKGROUNDED);
  }
}
