package dev.kairos.android;

import android.app.Activity;
import android.app.Application;
import android.content.Context;
import android.content.pm.ApplicationInfo;
import android.content.pm.PackageManager;
import android.net.ConnectivityManager;
import android.os.Bundle;
import android.os.SystemClock;
import dev.kairos.android.internal.ActivityCounter;
import dev.kairos.android.internal.AndroidContextProvider;
import dev.kairos.android.internal.AppVersionStore;
import dev.kairos.android.internal.DeviceContext;
import dev.kairos.android.internal.LocationSource;
import dev.kairos.android.internal.NetworkMonitor;
import dev.kairos.sdk.Adaptation;
import dev.kairos.sdk.Callback;
import dev.kairos.sdk.Kairos;
import dev.kairos.sdk.KairosLogger;
import java.io.Closeable;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.OkHttpClient;

/**
 * Kairos for an Android app: the Java core ({@link Kairos}) set up the way an app needs it.
 *
 * <p>Configure it in the manifest and use the singleton:
 *
 * <pre>{@code
 * <application ...>
 *   <meta-data android:name="dev.kairos.WRITE_KEY" android:value="wk_live_..." />
 *   <meta-data android:name="dev.kairos.BASE_URL" android:value="https://kairos.example.com" />
 * </application>
 *
 * KairosAndroid.with(context).track("product_view", Map.of("productId", "sku-42"));
 * KairosAndroid.with(context).kairos()                      // the core: decide, outcomes, typed events
 *     .decideAsync(List.of("home_banner"), Map.of()).thenAccept(this::render);
 * }</pre>
 *
 * or build it in code, in {@code Application.onCreate()}:
 *
 * <pre>{@code
 * KairosAndroid.setSingletonInstance(KairosAndroid.builder(this)
 *     .writeKey("wk_live_...").baseUrl("https://kairos.example.com")
 *     .trackLifecycleEvents(true).recordScreenViews(true)
 *     .build());
 * }</pre>
 *
 * <p><b>What it does for the app.</b> Events are queued on disk under the app's files directory
 * ({@code files/kairos}) and survive process death. When the last activity stops (the app goes to
 * the background) everything queued is flushed and the periodic flush is paused, so that no timer
 * runs while the app is in the background; it resumes when an activity starts again. When the
 * device gets a network back, the queue is flushed at once. Each event carries the device, OS, app
 * version, screen, locale, time zone and network type, and the location only when the app opted
 * in with {@link Builder#collectLocation(boolean)} and holds a location permission.
 *
 * <p><b>Threading.</b> Building and every method but {@link #close()} do no disk or network I/O on
 * the calling thread, so they are safe on the main thread: the core writes and sends on its own
 * threads, and the SDK's own chores (the stored app version, lifecycle events, flushing) run on one
 * short-lived background thread that ends when idle. Build it in {@code Application.onCreate()}, so
 * that the first activity start is seen; built later, it asks the activity manager whether the app
 * is in the foreground and starts with the foreground rules if so. Thread-safe.
 */
public final class KairosAndroid implements Closeable {

  /** Manifest meta-data holding the app write key. */
  public static final String META_WRITE_KEY = "dev.kairos.WRITE_KEY";
  /** Manifest meta-data holding the rules server's base URL. */
  public static final String META_BASE_URL = "dev.kairos.BASE_URL";
  /** Manifest meta-data ({@code true}/{@code false}) for {@link Builder#trackLifecycleEvents}. */
  public static final String META_TRACK_LIFECYCLE_EVENTS = "dev.kairos.TRACK_LIFECYCLE_EVENTS";
  /** Manifest meta-data ({@code true}/{@code false}) for {@link Builder#recordScreenViews}. */
  public static final String META_RECORD_SCREEN_VIEWS = "dev.kairos.RECORD_SCREEN_VIEWS";
  /** Manifest meta-data ({@code true}/{@code false}) for {@link Builder#collectLocation}. */
  public static final String META_COLLECT_LOCATION = "dev.kairos.COLLECT_LOCATION";

  /** {@code name} of the custom event sent on the first start after an install. */
  public static final String APPLICATION_INSTALLED = "Application Installed";
  /** {@code name} of the custom event sent on the first start after an update. */
  public static final String APPLICATION_UPDATED = "Application Updated";
  /** {@code name} of the custom event sent when the app comes to the foreground. */
  public static final String APPLICATION_OPENED = "Application Opened";
  /** {@code name} of the custom event sent when the app goes to the background. */
  public static final String APPLICATION_BACKGROUNDED = "Application Backgrounded";

  /** How long recording the install or update event may take to reach the disk queue before the version is not stored this time. */
  static final Duration LIFECYCLE_PERSIST_TIMEOUT = Duration.ofSeconds(10);

  /** How long one reading of the last known location is reused. */
  static final long LOCATION_MAX_AGE_MILLIS = 60_000;

  private static final Object SINGLETON_LOCK = new Object();
  private static KairosAndroid singleton;

  private final Context context;
  private final Kairos kairos;
  private final boolean trackLifecycleEvents;
  private final boolean recordScreenViews;
  private final NetworkMonitor network;
  private final ActivityCounter activities;
  private final ThreadPoolExecutor chores;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * The app's shared instance; the first call builds it from the manifest meta-data
   * ({@value #META_WRITE_KEY}, {@value #META_BASE_URL}, ...), unless
   * {@link #setSingletonInstance(KairosAndroid)} set one before.
   *
   * @throws IllegalStateException if none was set and the manifest lacks the write key or URL
   */
  public static KairosAndroid with(Context context) {
    if (context == null) {
      throw new IllegalArgumentException("context must not be null");
    }
    synchronized (SINGLETON_LOCK) {
      if (singleton == null) {
        singleton = builder(context).build();
      }
      return singleton;
    }
  }

  /**
   * Makes {@code instance} the one {@link #with(Context)} returns. Call it once, in
   * {@code Application.onCreate()}, before anything calls {@code with}.
   *
   * @throws IllegalStateException if a shared instance exists already
   */
  public static void setSingletonInstance(KairosAndroid instance) {
    if (instance == null) {
      throw new IllegalArgumentException("instance must not be null");
    }
    synchronized (SINGLETON_LOCK) {
      if (singleton != null) {
        throw new IllegalStateException("the shared KairosAndroid exists already: call setSingletonInstance once, "
            + "in Application.onCreate(), before any KairosAndroid.with(context)");
      }
      singleton = instance;
    }
  }

  /** A builder for the app {@code context} belongs to; unset options come from the manifest. */
  public static Builder builder(Context context) {
    if (context == null) {
      throw new IllegalArgumentException("context must not be null");
    }
    return new Builder(context);
  }

  private KairosAndroid(Builder b, Bundle meta) {
    this.context = b.context;
    this.trackLifecycleEvents = option(b.trackLifecycleEvents, meta, META_TRACK_LIFECYCLE_EVENTS);
    this.recordScreenViews = option(b.recordScreenViews, meta, META_RECORD_SCREEN_VIEWS);
    boolean collectLocation = option(b.collectLocation, meta, META_COLLECT_LOCATION);

    this.chores = new ThreadPoolExecutor(1, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "kairos-android");
      t.setDaemon(true);
      return t;
    });
    chores.allowCoreThreadTimeOut(true); // no thread is left waiting while there is nothing to do

    this.network = new NetworkMonitor(
        (ConnectivityManager) context.getSystemService(Context.CONNECTIVITY_SERVICE),
        () -> chore(this::flushNow));
    LocationSource location =
        new LocationSource(context, collectLocation, LOCATION_MAX_AGE_MILLIS, SystemClock::elapsedRealtime);

    Kairos.Builder core = Kairos.builder(b.writeKey(meta))
        .baseUrl(b.baseUrl(meta))
        .storageDirectory(b.storageDirectory != null ? b.storageDirectory : defaultStorage(context))
        .contextProvider(new AndroidContextProvider(context, network, location));
    if (b.flushAt != null) core.flushAt(b.flushAt);
    if (b.flushInterval != null) core.flushInterval(b.flushInterval);
    if (b.maxQueueSize != null) core.maxQueueSize(b.maxQueueSize);
    if (b.sessionTimeout != null) core.sessionTimeout(b.sessionTimeout);
    if (b.client != null) core.client(b.client);
    if (b.logger != null) core.logger(b.logger);
    if (b.callback != null) core.callback(b.callback);
    if (b.decideTimeout != null) core.decideTimeout(b.decideTimeout);
    for (Adaptation a : b.defaults) core.defaultAdaptation(a);
    this.kairos = core.build();
    try {
      // Built while an activity is started (the process is launched for one, or the SDK is built
      // late, e.g. lazily by with(activity)): foreground rules from now on. Otherwise (a service or
      // a receiver woke the process) background rules apply until an activity starts.
      boolean foreground = ActivityCounter.processInForeground();
      if (!foreground) {
        kairos.pausePeriodicFlush();
      }

      network.start();
      this.activities = new ActivityCounter(new Lifecycle(), foreground);
      if (context instanceof Application) {
        ((Application) context).registerActivityLifecycleCallbacks(activities);
      }
    } catch (RuntimeException e) {
      // Never leave the core's threads running behind a failed build.
      network.stop();
      kairos.close();
      throw e;
    }
    if (trackLifecycleEvents) {
      chore(this::trackInstallOrUpdate);
    }
  }

  /** The Java core, for everything beyond the shortcuts here: typed events, decide, outcomes. */
  public Kairos kairos() {
    return kairos;
  }

  /** Same as {@link Kairos#track(String, Map)}. */
  public void track(String type, Map<String, ?> properties) {
    kairos.track(type, properties);
  }

  /** Same as {@link Kairos#screen(String, Map)}. */
  public void screen(String name, Map<String, ?> properties) {
    kairos.screen(name, properties);
  }

  /** Same as {@link Kairos#identify(String, Map)}. */
  public void identify(String userId, Map<String, ?> traits) {
    kairos.identify(userId, traits);
  }

  /** Same as {@link Kairos#reset()}. */
  public void reset() {
    kairos.reset();
  }

  /** Asks for everything queued to be sent now; returns at once. */
  public void flush() {
    kairos.flush();
  }

  /**
   * Same as {@link Kairos#optOut()}: nothing more is recorded or sent, the queue files and cached
   * decisions are deleted, decide answers the app's defaults; saved across restarts. Main thread safe.
   */
  public void optOut() {
    kairos.optOut();
  }

  /** Same as {@link Kairos#optIn()}. */
  public void optIn() {
    kairos.optIn();
  }

  /** Same as {@link Kairos#isOptedOut()}; may wait (once, up to 1 s) for the stored choice: not on the main thread right after start-up. */
  public boolean isOptedOut() {
    return kairos.isOptedOut();
  }

  /**
   * A new scroll helper that reports to this instance, with the default rapid-scroll threshold;
   * one per scrolling view. See {@link ScrollTracker}.
   */
  public ScrollTracker scrollTracker() {
    return ScrollTracker.builder(kairos).build();
  }

  /** Whether an activity of the app is started now, as far as this instance has seen. Main thread. */
  public boolean inForeground() {
    return activities.inForeground();
  }

  /**
   * Stops following the lifecycle and the network, and closes the core (which delivers what it can
   * within its close timeout). Blocks: not on the main thread. Later calls do nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (context instanceof Application) {
      ((Application) context).unregisterActivityLifecycleCallbacks(activities);
    }
    network.stop();
    chores.shutdown();
    try {
      chores.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    kairos.close();
    synchronized (SINGLETON_LOCK) {
      if (singleton == this) {
        singleton = null;
      }
    }
  }

  /** Waits until the background chores queued so far have run (tests only). */
  boolean awaitChores(long timeoutMillis) throws Exception {
    Future<?> marker = chores.submit(() -> { });
    marker.get(timeoutMillis, TimeUnit.MILLISECONDS);
    return true;
  }

  private void chore(Runnable task) {
    if (closed.get()) {
      return;
    }
    try {
      chores.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          // An SDK chore must never take the app down; the core logs its own failures.
        }
      });
    } catch (RuntimeException rejected) {
      // closing: nothing more to do
    }
  }

  private void flushNow() {
    kairos.flush();
  }

  /**
   * Records Installed or Updated at most once per version: the stored version says "recorded", so
   * it is written only once the event is in the disk queue (a process killed before then records
   * it again at the next start). The event id is chosen and stored first and reused by every
   * attempt for the same version, so an event recorded twice (killed between the two writes) is
   * counted once by the server.
   */
  private void trackInstallOrUpdate() {
    long versionCode = DeviceContext.versionCode(context);
    String versionName = DeviceContext.versionName(context);
    AppVersionStore store = new AppVersionStore(context);
    AppVersionStore.Result result = store.check(versionCode, versionName);
    Map<String, Object> p;
    if (result.change == AppVersionStore.Change.INSTALLED) {
      p = lifecycleProperties(APPLICATION_INSTALLED, versionName, versionCode);
    } else if (result.change == AppVersionStore.Change.UPDATED) {
      p = lifecycleProperties(APPLICATION_UPDATED, versionName, versionCode);
      p.put("previousVersion", result.previousVersionName);
      p.put("previousBuild", Long.toString(result.previousVersionCode));
    } else {
      return;
    }
    kairos.track("custom", p, result.eventId);
    if (kairos.awaitPersisted(LIFECYCLE_PERSIST_TIMEOUT)) {
      store.recorded(versionCode, versionName);
    }
  }

  private Map<String, Object> lifecycleProperties(String name, String versionName, long versionCode) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("name", name);
    p.put("version", versionName);
    p.put("build", Long.toString(versionCode));
    return p;
  }

  /** Lifecycle callbacks arrive on the main thread; everything they cause runs as a chore. */
  private final class Lifecycle implements ActivityCounter.Listener {
    @Override
    public void onForeground(boolean firstTime) {
      chore(() -> {
        kairos.resumePeriodicFlush();
        if (trackLifecycleEvents) {
          Map<String, Object> p = new LinkedHashMap<>();
          p.put("name", APPLICATION_OPENED);
          p.put("fromBackground", !firstTime);
          kairos.track("custom", p);
        }
      });
    }

    @Override
    public void onBackground() {
      chore(() -> {
        if (trackLifecycleEvents) {
          Map<String, Object> p = new LinkedHashMap<>();
          p.put("name", APPLICATION_BACKGROUNDED);
          kairos.track("custom", p);
        }
        kairos.flush();
        kairos.pausePeriodicFlush();
      });
    }

    @Override
    public void onActivityShown(Activity activity) {
      if (!recordScreenViews) {
        return;
      }
      String name = activity.getClass().getSimpleName();
      CharSequence title = activity.getTitle();
      chore(() -> {
        Map<String, Object> p = new LinkedHashMap<>();
        if (title != null && title.length() > 0) {
          p.put("title", title.toString());
        }
        p.put("automatic", true);
        kairos.screen(name, p);
      });
    }
  }

  private static boolean option(Boolean explicit, Bundle meta, String key) {
    if (explicit != null) {
      return explicit;
    }
    return meta != null && meta.getBoolean(key, false);
  }

  /**
   * {@code files/kairos} in the app's private data directory, computed without touching the disk
   * ({@code getFilesDir()} would create the directory on the calling thread); the core creates it
   * on its own thread.
   */
  private static Path defaultStorage(Context context) {
    ApplicationInfo info = context.getApplicationInfo();
    File files = info != null && info.dataDir != null ? new File(info.dataDir, "files") : context.getFilesDir();
    return new File(files, "kairos").toPath();
  }

  /**
   * Configures a {@link KairosAndroid}. The write key and URL are required, from code or from the
   * manifest meta-data; every other option has the default of the Java core or is off.
   * Not thread-safe; {@link #build()} may be called on the main thread.
   */
  public static final class Builder {
    private final Context context;
    private String writeKey;
    private String baseUrl;
    private Path storageDirectory;
    private Boolean trackLifecycleEvents;
    private Boolean recordScreenViews;
    private Boolean collectLocation;
    private Integer flushAt;
    private Duration flushInterval;
    private Integer maxQueueSize;
    private Duration sessionTimeout;
    private OkHttpClient client;
    private KairosLogger logger;
    private Callback callback;
    private Duration decideTimeout;
    private final java.util.List<Adaptation> defaults = new java.util.ArrayList<>();

    private Builder(Context context) {
      Context app = context.getApplicationContext();
      this.context = app != null ? app : context;
    }

    /** The app write key; default: the manifest meta-data {@value #META_WRITE_KEY}. */
    public Builder writeKey(String writeKey) {
      this.writeKey = requireText(writeKey, "writeKey");
      return this;
    }

    /** The rules server's base URL; default: the manifest meta-data {@value #META_BASE_URL}. */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = requireText(baseUrl, "baseUrl");
      return this;
    }

    /**
     * Where the event queue and the anonymous id live; default {@code files/kairos} in the app's
     * private data directory. Another process of the same app needs a directory of its own.
     */
    public Builder storageDirectory(Path directory) {
      if (directory == null) {
        throw new IllegalArgumentException("storageDirectory must not be null");
      }
      this.storageDirectory = directory;
      return this;
    }

    /**
     * Sends {@code custom} events named {@value #APPLICATION_INSTALLED}, {@value #APPLICATION_UPDATED}
     * (from the version code stored at the last start), {@value #APPLICATION_OPENED} and
     * {@value #APPLICATION_BACKGROUNDED}. Default off (or the manifest's
     * {@value #META_TRACK_LIFECYCLE_EVENTS}).
     */
    public Builder trackLifecycleEvents(boolean on) {
      this.trackLifecycleEvents = on;
      return this;
    }

    /**
     * Sends a {@code screen_view} named after the activity's class each time an activity starts
     * (not again after a rotation). Default off (or the manifest's {@value #META_RECORD_SCREEN_VIEWS}).
     */
    public Builder recordScreenViews(boolean on) {
      this.recordScreenViews = on;
      return this;
    }

    /**
     * Adds the device's last known location to events when the app also holds
     * {@code ACCESS_COARSE_LOCATION} or {@code ACCESS_FINE_LOCATION}; never requests a fix. Default
     * off (or the manifest's {@value #META_COLLECT_LOCATION}).
     */
    public Builder collectLocation(boolean on) {
      this.collectLocation = on;
      return this;
    }

    /** See {@link Kairos.Builder#flushAt(int)}; default 20 events. */
    public Builder flushAt(int events) {
      this.flushAt = events;
      return this;
    }

    /** See {@link Kairos.Builder#flushInterval(Duration)}; default 30 s, in the foreground only. */
    public Builder flushInterval(Duration interval) {
      this.flushInterval = interval;
      return this;
    }

    /** See {@link Kairos.Builder#maxQueueSize(int)}; default 10,000 events. */
    public Builder maxQueueSize(int items) {
      this.maxQueueSize = items;
      return this;
    }

    /** See {@link Kairos.Builder#sessionTimeout(Duration)}. */
    public Builder sessionTimeout(Duration timeout) {
      this.sessionTimeout = timeout;
      return this;
    }

    /** The OkHttp client to send with (share the app's); default: the core's own. */
    public Builder client(OkHttpClient client) {
      this.client = client;
      return this;
    }

    /** Where the SDK logs; default: the core's ({@code System.err}, which Android sends to logcat). */
    public Builder logger(KairosLogger logger) {
      this.logger = logger;
      return this;
    }

    /** Delivery callbacks; see {@link Callback} for the threads they run on. */
    public Builder callback(Callback callback) {
      this.callback = callback;
      return this;
    }

    /** The longest {@code kairos().decide} waits for the server; default: the core's (1 s). */
    public Builder decideTimeout(Duration timeout) {
      this.decideTimeout = timeout;
      return this;
    }

    /** What decide answers for the placement when the server cannot be asked; see {@link Kairos.Builder#defaultAdaptation}. */
    public Builder defaultAdaptation(Adaptation adaptation) {
      if (adaptation == null) {
        throw new IllegalArgumentException("adaptation must not be null");
      }
      this.defaults.add(adaptation);
      return this;
    }

    /**
     * Builds the instance: reads the manifest for unset options, starts following the lifecycle
     * and the network. Does no disk or network I/O on the calling thread.
     *
     * @throws IllegalStateException if the write key or the URL is set neither here nor in the manifest
     */
    public KairosAndroid build() {
      return new KairosAndroid(this, metaData(context));
    }

    String writeKey(Bundle meta) {
      return required(writeKey, meta, META_WRITE_KEY, "writeKey");
    }

    String baseUrl(Bundle meta) {
      return required(baseUrl, meta, META_BASE_URL, "baseUrl");
    }

    private static String required(String explicit, Bundle meta, String key, String option) {
      if (explicit != null) {
        return explicit;
      }
      Object value = meta == null ? null : meta.get(key);
      if (value == null || value.toString().trim().isEmpty()) {
        throw new IllegalStateException("no " + option + ": call " + option + "(...) on KairosAndroid.builder, or add "
            + "<meta-data android:name=\"" + key + "\" android:value=\"...\"/> to the <application> of the manifest");
      }
      return value.toString().trim();
    }

    private static Bundle metaData(Context context) {
      try {
        ApplicationInfo info = context.getPackageManager()
            .getApplicationInfo(context.getPackageName(), PackageManager.GET_META_DATA);
        return info.metaData;
      } catch (PackageManager.NameNotFoundException e) {
        return null;
      }
    }

    private static String requireText(String value, String name) {
      if (value == null || value.trim().isEmpty()) {
        throw new IllegalArgumentException(name + " must not be null or blank");
      }
      return value.trim();
    }
  }
}
