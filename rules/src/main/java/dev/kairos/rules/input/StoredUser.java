package dev.kairos.rules.input;

import dev.kairos.rules.Profile;
import dev.kairos.rules.Signals;

/**
 * What the server knows of a user before reading a request: the signals its signal engine keeps
 * (a fresh builder per call, without an intent score so that one is computed after the request's
 * own signals are applied), the profile at the decision's time, and how long the current session
 * has lasted ({@code -1} when there is none), used when the request does not say, and what the
 * user was recently shown and did with it.
 */
public record StoredUser(Signals.Builder signals, Profile profile, long sessionSeconds, dev.kairos.rules.Exposures exposures) {
    /** A stored user without a current session. */
    public StoredUser(Signals.Builder signals, Profile profile) {
        this(signals, profile, -1);
    }

    /** A stored user with nothing recently shown. */
    public StoredUser(Signals.Builder signals, Profile profile, long sessionSeconds) {
        this(signals, profile, sessionSeconds, dev.kairos.rules.Exposures.NONE);
    }
}
