package dev.kairos.rules;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;

/**
 * The user's local wall-clock time, derived from the event's timestamp and the device's time
 * zone (never from the server's clock zone).
 *
 * <pre>Context( time.hour &gt;= 18, time.hour &lt;= 22 )
 *Context( time.daypart == "late_night" )</pre>
 *
 * Dayparts: {@code late_night} 0–4 h, {@code morning} 5–11 h, {@code afternoon} 12–16 h,
 * {@code evening} 17–21 h, {@code night} 22–23 h.
 */
public final class TimeOfDay {
    private final int hour;
    private final int minute;
    private final String dayOfWeek;
    private final boolean weekend;
    private final String daypart;
    private final String timezone;
    private final Instant instant;

    /** {@code monday} … {@code sunday}, by {@link DayOfWeek#ordinal()}. */
    private static final String[] DAY_NAMES = java.util.Arrays.stream(DayOfWeek.values())
            .map(d -> d.name().toLowerCase(java.util.Locale.ROOT)).toArray(String[]::new);

    private TimeOfDay(ZonedDateTime local) {
        this.hour = local.getHour();
        this.minute = local.getMinute();
        DayOfWeek dow = local.getDayOfWeek();
        this.dayOfWeek = DAY_NAMES[dow.ordinal()];
        this.weekend = dow == DayOfWeek.SATURDAY || dow == DayOfWeek.SUNDAY;
        this.daypart = daypartOf(hour);
        this.timezone = local.getZone().getId();
        this.instant = local.toInstant();
    }

    /** The local time at {@code instant} in {@code zone}. */
    public static TimeOfDay of(Instant instant, ZoneId zone) {
        return new TimeOfDay(instant.atZone(Objects.requireNonNull(zone, "zone")));
    }

    static String daypartOf(int hour) {
        if (hour < 5) return "late_night";
        if (hour < 12) return "morning";
        if (hour < 17) return "afternoon";
        if (hour < 22) return "evening";
        return "night";
    }

    /** Local hour, 0–23. */
    public int getHour() { return hour; }
    /** Local minute, 0–59. */
    public int getMinute() { return minute; }
    /** Lower-case English day name: {@code monday} … {@code sunday}. */
    public String getDayOfWeek() { return dayOfWeek; }
    public boolean isWeekend() { return weekend; }
    /** One of {@code late_night}, {@code morning}, {@code afternoon}, {@code evening}, {@code night}. */
    public String getDaypart() { return daypart; }
    /** IANA zone id, e.g. {@code Europe/Berlin}. */
    public String getTimezone() { return timezone; }
    /** The absolute instant this local time describes. */
    public Instant getInstant() { return instant; }

    /** True when the local hour is in {@code [fromHour, toHour)}; wraps past midnight when from &gt; to. */
    public boolean between(int fromHour, int toHour) {
        return fromHour <= toHour ? hour >= fromHour && hour < toHour : hour >= fromHour || hour < toHour;
    }

    @Override public boolean equals(Object o) {
        return o instanceof TimeOfDay t && instant.equals(t.instant) && timezone.equals(t.timezone);
    }
    @Override public int hashCode() { return Objects.hash(instant, timezone); }
    @Override public String toString() { return dayOfWeek + " " + hour + ":" + (minute < 10 ? "0" : "") + minute + " " + timezone; }
}
