package dev.kairos.android.internal;

import android.content.Context;
import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;
import android.content.res.Configuration;
import android.os.Build;
import android.util.DisplayMetrics;
import java.util.LinkedHashMap;
import org.codehaus.mojo.animal_sniffer.IgnoreJRERequirement;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;

/**
 * The context that does not change while the process lives: device, OS, app version and screen.
 * Collected once, off the main thread, by asking the framework (no files are read).
 *
 * <p>The map has the shape of the ingest API's {@code context}: {@code device {type, os,
 * osVersion, model, appVersion}}, plus {@code app {name, build, namespace}} and {@code screen
 * {width, height, density}}, which the server stores as sent.
 */
public final class DeviceContext {

  /** Smallest screen width, in dp, from which a device counts as a tablet (Android's own cut). */
  static final int TABLET_MIN_WIDTH_DP = 600;

  private DeviceContext() {}

  /** Collects the static context of the app that {@code context} belongs to. */
  public static Map<String, Object> collect(Context context) {
    Map<String, Object> device = new LinkedHashMap<>();
    Configuration configuration = context.getResources().getConfiguration();
    device.put("type", configuration.smallestScreenWidthDp >= TABLET_MIN_WIDTH_DP ? "tablet" : "mobile");
    device.put("os", "android");
    device.put("osVersion", Build.VERSION.RELEASE == null ? "" : Build.VERSION.RELEASE);
    device.put("model", nullToEmpty(Build.MODEL));
    device.put("manufacturer", nullToEmpty(Build.MANUFACTURER));
    device.put("sdkInt", Build.VERSION.SDK_INT);

    Map<String, Object> app = new LinkedHashMap<>();
    app.put("namespace", context.getPackageName());
    PackageInfo info = packageInfo(context);
    if (info != null) {
      device.put("appVersion", nullToEmpty(info.versionName));
      app.put("version", nullToEmpty(info.versionName));
      app.put("build", Long.toString(versionCodeOf(info)));
    } else {
      device.put("appVersion", "");
    }
    CharSequence label = context.getApplicationInfo().loadLabel(context.getPackageManager());
    app.put("name", label == null ? "" : label.toString());

    DisplayMetrics metrics = context.getResources().getDisplayMetrics();
    Map<String, Object> screen = new LinkedHashMap<>();
    screen.put("width", metrics.widthPixels);
    screen.put("height", metrics.heightPixels);
    screen.put("density", metrics.density);

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("device", device);
    result.put("app", app);
    result.put("screen", screen);
    return result;
  }

  /**
   * The locale and time zone as they are now. Both can change while the app runs (the user changes
   * settings, or travels), so they are read per event; both reads are in memory.
   */
  public static void putLocaleAndTimeZone(Map<String, Object> target) {
    target.put("locale", Locale.getDefault().toLanguageTag());
    target.put("timezone", TimeZone.getDefault().getID());
  }

  /** The version code of the installed app, or -1 when the package manager does not know it. */
  public static long versionCode(Context context) {
    PackageInfo info = packageInfo(context);
    return info == null ? -1 : versionCodeOf(info);
  }

  @SuppressWarnings("deprecation")
  @IgnoreJRERequirement // getLongVersionCode() is API 28; older devices have the int versionCode only
  static long versionCodeOf(PackageInfo info) {
    return Build.VERSION.SDK_INT >= 28 ? info.getLongVersionCode() : info.versionCode;
  }

  /** The version name of the installed app, or {@code ""}. */
  public static String versionName(Context context) {
    PackageInfo info = packageInfo(context);
    return info == null ? "" : nullToEmpty(info.versionName);
  }

  private static PackageInfo packageInfo(Context context) {
    try {
      return context.getPackageManager().getPackageInfo(context.getPackageName(), 0);
    } catch (PackageManager.NameNotFoundException | RuntimeException e) {
      return null;
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
