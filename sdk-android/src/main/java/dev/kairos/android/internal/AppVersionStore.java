package dev.kairos.android.internal;

import android.content.Context;
import android.content.SharedPreferences;

/**
 * Remembers the app version seen last, to tell an install from an update from a plain start.
 * Reads and writes {@link SharedPreferences}: disk I/O, so call it on a background thread only.
 */
public final class AppVersionStore {

  /** Preferences file of the SDK (beside the app's own, in its private data directory). */
  public static final String PREFERENCES = "dev.kairos.android";

  private static final String VERSION_CODE = "versionCode";
  private static final String VERSION_NAME = "versionName";

  /** What the current start is, compared with the version stored before. */
  public enum Change { INSTALLED, UPDATED, UNCHANGED }

  /** The outcome of {@link #record}: the change and the version seen before, if any. */
  public static final class Result {
    public final Change change;
    public final long previousVersionCode;
    public final String previousVersionName;

    Result(Change change, long previousVersionCode, String previousVersionName) {
      this.change = change;
      this.previousVersionCode = previousVersionCode;
      this.previousVersionName = previousVersionName;
    }
  }

  private final SharedPreferences preferences;

  public AppVersionStore(Context context) {
    this.preferences = context.getSharedPreferences(PREFERENCES, Context.MODE_PRIVATE);
  }

  /** Compares the running version with the stored one and stores the running one. */
  public Result record(long versionCode, String versionName) {
    long previousCode = preferences.getLong(VERSION_CODE, -1);
    String previousName = preferences.getString(VERSION_NAME, "");
    Change change;
    if (previousCode == -1) {
      change = Change.INSTALLED;
    } else if (previousCode != versionCode) {
      change = Change.UPDATED;
    } else {
      change = Change.UNCHANGED;
    }
    if (change != Change.UNCHANGED) {
      // commit(), not apply(): this already runs on a background thread, and the next start must
      // see the new version even if the process dies right after.
      preferences.edit().putLong(VERSION_CODE, versionCode).putString(VERSION_NAME, versionName).commit();
    }
    return new Result(change, previousCode, previousName);
  }
}
