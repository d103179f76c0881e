package dev.kairos.android.internal;

import android.content.Context;
import android.content.SharedPreferences;
import java.util.UUID;

/**
 * Remembers the app version whose start was recorded last, to tell an install from an update from
 * a plain start. {@link #check} says what this start is and gives the id to record its event
 * under (kept until {@link #recorded}, so every attempt for one version uses the same id);
 * {@link #recorded} stores the version once the event is safely queued. Reads and writes
 * {@link SharedPreferences} with {@code commit()}: disk I/O, so call it on a background thread only.
 */
public final class AppVersionStore {

  /** Preferences file of the SDK (beside the app's own, in its private data directory). */
  public static final String PREFERENCES = "dev.kairos.android";

  private static final String VERSION_CODE = "versionCode";
  private static final String VERSION_NAME = "versionName";
  private static final String PENDING_VERSION_CODE = "pendingVersionCode";
  private static final String PENDING_EVENT_ID = "pendingEventId";

  /** What the current start is, compared with the version stored before. */
  public enum Change { INSTALLED, UPDATED, UNCHANGED }

  /** The outcome of {@link #check}: the change, the version recorded before (if any), the event id. */
  public static final class Result {
    public final Change change;
    public final long previousVersionCode;
    public final String previousVersionName;
    /** The id to record the change's event under; null when {@link Change#UNCHANGED}. */
    public final UUID eventId;

    Result(Change change, long previousVersionCode, String previousVersionName, UUID eventId) {
      this.change = change;
      this.previousVersionCode = previousVersionCode;
      this.previousVersionName = previousVersionName;
      this.eventId = eventId;
    }
  }

  private final SharedPreferences preferences;

  public AppVersionStore(Context context) {
    this.preferences = context.getSharedPreferences(PREFERENCES, Context.MODE_PRIVATE);
  }

  /**
   * Compares the running version with the recorded one. For a change, returns the event id kept
   * for this version, choosing and storing one first if there is none yet.
   */
  public Result check(long versionCode, String versionName) {
    long previousCode = preferences.getLong(VERSION_CODE, -1);
    String previousName = preferences.getString(VERSION_NAME, "");
    Change change;
    if (previousCode == -1) {
      change = Change.INSTALLED;
    } else if (previousCode != versionCode) {
      change = Change.UPDATED;
    } else {
      return new Result(Change.UNCHANGED, previousCode, previousName, null);
    }
    UUID eventId = pendingEventId(versionCode);
    if (eventId == null) {
      eventId = UUID.randomUUID();
      // Stored before the event is recorded: a later attempt for this version reuses it.
      preferences.edit().putLong(PENDING_VERSION_CODE, versionCode).putString(PENDING_EVENT_ID, eventId.toString()).commit();
    }
    return new Result(change, previousCode, previousName, eventId);
  }

  /** Stores the running version as recorded: later starts of it are {@link Change#UNCHANGED}. */
  public void recorded(long versionCode, String versionName) {
    // commit(), not apply(): this runs on a background thread, and the next start must see it.
    preferences.edit().putLong(VERSION_CODE, versionCode).putString(VERSION_NAME, versionName)
        .remove(PENDING_VERSION_CODE).remove(PENDING_EVENT_ID).commit();
  }

  private UUID pendingEventId(long versionCode) {
    if (preferences.getLong(PENDING_VERSION_CODE, -1) != versionCode) {
      return null;
    }
    try {
      String id = preferences.getString(PENDING_EVENT_ID, null);
      return id == null ? null : UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
