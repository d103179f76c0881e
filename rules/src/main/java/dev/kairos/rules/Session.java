package dev.kairos.rules;

import java.util.Objects;

/**
 * The current app session. {@code phase} is what the client reports, or else derived from the
 * duration: {@code start} (&lt; 1 min), {@code active} (&lt; 20 min), {@code deep} (20 min or more).
 *
 * <pre>Context( session.durationMinutes &gt; 20 )</pre>
 */
public final class Session {
    /** No session known. */
    public static final Session UNKNOWN = new Session("", -1, "");

    private final String id;
    private final long durationSeconds;
    private final String phase;

    /**
     * @param id              session id, empty when unknown
     * @param durationSeconds seconds since the session started, {@code -1} when unknown
     * @param phase           client-reported phase, or empty to derive it from the duration
     */
    public Session(String id, long durationSeconds, String phase) {
        this.id = id == null ? "" : id;
        this.durationSeconds = durationSeconds;
        this.phase = phase == null || phase.isBlank() ? phaseOf(durationSeconds) : phase.toLowerCase(java.util.Locale.ROOT);
    }

    static String phaseOf(long seconds) {
        if (seconds < 0) return "unknown";
        if (seconds < 60) return "start";
        if (seconds < 20 * 60) return "active";
        return "deep";
    }

    public String getId() { return id; }
    /** Seconds since the session started, {@code -1} when unknown. */
    public long getDurationSeconds() { return durationSeconds; }
    /** Whole minutes since the session started, {@code -1} when unknown. */
    public long getDurationMinutes() { return durationSeconds < 0 ? -1 : durationSeconds / 60; }
    public String getPhase() { return phase; }

    @Override public boolean equals(Object o) {
        return o instanceof Session s && id.equals(s.id) && durationSeconds == s.durationSeconds && phase.equals(s.phase);
    }
    @Override public int hashCode() { return Objects.hash(id, durationSeconds, phase); }
    @Override public String toString() { return "Session{" + phase + ", " + durationSeconds + "s}"; }
}
