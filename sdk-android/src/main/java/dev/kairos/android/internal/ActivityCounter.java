package dev.kairos.android.internal;

import android.app.Activity;
import android.app.Application;
import android.os.Bundle;

/**
 * Knows whether the app is in the foreground by counting started activities, the way the
 * framework's process lifecycle does, without AndroidX. A configuration change (rotation) stops and
 * restarts an activity; it is not a trip to the background.
 *
 * <p>Callbacks arrive on the main thread; the listener must return quickly and do no I/O there.
 */
public final class ActivityCounter implements Application.ActivityLifecycleCallbacks {

  /** Told of the app's moves between foreground and background, and of each activity shown. */
  public interface Listener {
    /** The first activity started: the app is in the foreground. */
    void onForeground(boolean firstTime);

    /** The last started activity stopped for good: the app is in the background. */
    void onBackground();

    /** An activity became visible (for automatic screen views). */
    void onActivityShown(Activity activity);
  }

  private final Listener listener;
  private int started;
  private boolean changingConfiguration;
  private boolean everForeground;

  public ActivityCounter(Listener listener) {
    this.listener = listener;
  }

  /** Whether at least one activity is started now. Main thread only. */
  public boolean inForeground() {
    return started > 0;
  }

  @Override
  public void onActivityStarted(Activity activity) {
    started++;
    boolean recreated = changingConfiguration;
    changingConfiguration = false;
    if (started == 1 && !recreated) {
      boolean firstTime = !everForeground;
      everForeground = true;
      listener.onForeground(firstTime);
    }
    if (!recreated) {
      listener.onActivityShown(activity); // the same screen again after a rotation is no new view
    }
  }

  @Override
  public void onActivityStopped(Activity activity) {
    if (started > 0) {
      started--;
    }
    changingConfiguration = activity.isChangingConfigurations();
    if (started == 0 && !changingConfiguration) {
      listener.onBackground();
    }
  }

  @Override
  public void onActivityCreated(Activity activity, Bundle savedInstanceState) {}

  @Override
  public void onActivityResumed(Activity activity) {}

  @Override
  public void onActivityPaused(Activity activity) {}

  @Override
  public void onActivitySaveInstanceState(Activity activity, Bundle outState) {}

  @Override
  public void onActivityDestroyed(Activity activity) {}
}
