package dev.kairos.android.internal;

import android.app.Activity;
import android.app.ActivityManager;
import android.app.Application;
import android.os.Bundle;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Knows whether the app is in the foreground by following which activities are started, the way
 * the framework's process lifecycle does, without AndroidX. A configuration change (rotation) stops
 * and restarts an activity; it is not a trip to the background.
 *
 * <p>It may be registered after some activity has started already (an SDK built late). Such an
 * activity is learnt from its first callback ({@code onPause}/{@code onResume} say it is started,
 * {@code onStop} that it was): the next activity starting on top of it is no new foreground, and its
 * stop after that is no backgrounding. {@link #processInForeground()} tells the state at
 * registration.
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
  private final Set<Activity> started = Collections.newSetFromMap(new IdentityHashMap<>());
  private boolean changingConfiguration;
  private boolean everForeground;
  private boolean foregroundAtRegistration;
  private boolean anyCallback;

  /**
   * @param foregroundAtRegistration whether an activity of the app may be started already (see
   *     {@link #processInForeground()}); {@link #inForeground()} says so until the first callback
   */
  public ActivityCounter(Listener listener, boolean foregroundAtRegistration) {
    this.listener = listener;
    this.foregroundAtRegistration = foregroundAtRegistration;
  }

  /**
   * Whether the system ranks this process as foreground or visible now, i.e. one of its activities
   * is started. Asks the activity manager (a binder call, no disk or network I/O). A process
   * started for a broadcast receiver can rank as foreground while the receiver runs.
   */
  public static boolean processInForeground() {
    try {
      ActivityManager.RunningAppProcessInfo info = new ActivityManager.RunningAppProcessInfo();
      info.importance = 0; // the constructor says "foreground": unknown until the system fills it in
      ActivityManager.getMyMemoryState(info);
      return info.importance == ActivityManager.RunningAppProcessInfo.IMPORTANCE_FOREGROUND
          || info.importance == ActivityManager.RunningAppProcessInfo.IMPORTANCE_VISIBLE;
    } catch (RuntimeException e) {
      return false; // unknown: the background rules are the safe side
    }
  }

  /** Whether at least one activity is started now, as far as seen. Main thread only. */
  public boolean inForeground() {
    return !started.isEmpty() || (foregroundAtRegistration && !anyCallback);
  }

  @Override
  public void onActivityCreated(Activity activity, Bundle savedInstanceState) {
    anyCallback = true;
  }

  @Override
  public void onActivityStarted(Activity activity) {
    anyCallback = true;
    boolean wasForeground = !started.isEmpty();
    started.add(activity);
    boolean recreated = changingConfiguration;
    changingConfiguration = false;
    if (!wasForeground && !recreated) {
      boolean firstTime = !everForeground;
      everForeground = true;
      listener.onForeground(firstTime);
    }
    if (!recreated) {
      listener.onActivityShown(activity); // the same screen again after a rotation is no new view
    }
  }

  @Override
  public void onActivityResumed(Activity activity) {
    learnStartedBeforeRegistration(activity);
  }

  @Override
  public void onActivityPaused(Activity activity) {
    learnStartedBeforeRegistration(activity);
  }

  @Override
  public void onActivityStopped(Activity activity) {
    anyCallback = true;
    started.remove(activity);
    changingConfiguration = activity.isChangingConfigurations();
    if (started.isEmpty() && !changingConfiguration) {
      listener.onBackground();
    }
  }

  @Override
  public void onActivitySaveInstanceState(Activity activity, Bundle outState) {}

  @Override
  public void onActivityDestroyed(Activity activity) {}

  /**
   * A resumed or paused activity is started. One not seen starting started before registration:
   * no onForeground for it, the app was in the foreground already.
   */
  private void learnStartedBeforeRegistration(Activity activity) {
    anyCallback = true;
    started.add(activity);
  }
}
