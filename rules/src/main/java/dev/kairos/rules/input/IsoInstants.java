package dev.kairos.rules.input;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.chrono.IsoChronology;

/**
 * ISO-8601 instants as clients send them, read without {@link java.time.format.DateTimeFormatter}. The SDKs
 * stamp every event with {@link Instant#toString()}'s form ({@code 2026-11-23T18:30:00.123Z}); reading that
 * with {@link Instant#parse} and writing it again with {@code toString} cost ingest about 1.5 µs of CPU an
 * event, more than a quarter of all it spent (docs/benchmarks.md §31). Here that form is read by arithmetic,
 * and kept as sent when it is written as {@code toString} would write it; everything else goes to
 * {@link Instant#parse}, so the answers — an instant or an exception — are always {@code Instant.parse}'s.
 */
public final class IsoInstants {
    private static final int[] SCALE = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000};

    private IsoInstants() {}

    /**
     * {@code text} as {@link Instant#parse} reads it: the same instant, or the same exception. The form
     * {@code yyyy-MM-ddTHH:mm:ss} with 0 to 9 digits of fraction and {@code Z} is read here; anything else
     * (lower case, an offset, a leap second, 24:00, a year beyond four digits) by {@code Instant.parse}.
     *
     * @throws java.time.format.DateTimeParseException as {@code Instant.parse} does
     */
    public static Instant parse(CharSequence text) {
        Instant fast = plain(text);
        return fast != null ? fast : Instant.parse(text);
    }

    /**
     * {@code text}, which reads as {@code instant} ({@link #parse}), written as {@link Instant#toString()}
     * writes {@code instant}: {@code text} itself when it is written so already (no formatting), else
     * {@code instant.toString()}.
     */
    public static String canonical(String text, Instant instant) {
        return isCanonical(text) ? text : instant.toString();
    }

    /**
     * Whether {@code text}, if it reads as an instant at all, is written as {@link Instant#toString()} writes
     * it: four digits of year, seconds always, upper case, and a fraction of 3, 6 or 9 digits whose last three
     * are not all zero (toString writes the shortest of those, none for a whole second).
     */
    static boolean isCanonical(CharSequence s) {
        int n = s.length();
        if (n != 20 && n != 24 && n != 27 && n != 30) return false;
        if (!plainForm(s, n)) return false;
        if (hourMinuteSecond(s) < 0) return false;
        return n == 20 || s.charAt(n - 2) != '0' || s.charAt(n - 3) != '0' || s.charAt(n - 4) != '0';
    }

    /** The instant of {@code s} when it is in the plain form and a real date and time, else null (for Instant.parse to decide). */
    private static Instant plain(CharSequence s) {
        int n = s.length();
        if (n < 20 || n > 30 || !plainForm(s, n)) return null;
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int time = hourMinuteSecond(s);
        if (time < 0 || month < 1 || month > 12 || day < 1 || day > Month.of(month).length(IsoChronology.INSTANCE.isLeapYear(year))) return null;
        int nanos = n == 20 ? 0 : digits(s, 20, n - 21) * SCALE[9 - (n - 21)];
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400 + time, nanos);
    }

    /** {@code yyyy-MM-ddTHH:mm:ss}, then {@code .} and digits if longer than 20, then {@code Z}: the characters only. */
    private static boolean plainForm(CharSequence s, int n) {
        if (s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':'
                || s.charAt(n - 1) != 'Z') return false;
        if (digits(s, 0, 4) < 0 || digits(s, 5, 2) < 0 || digits(s, 8, 2) < 0) return false;
        if (n == 20) return true;
        return s.charAt(19) == '.' && n > 21 && digits(s, 20, n - 21) >= 0;
    }

    /** The second of the day of {@code HH:mm:ss} at 11, or -1 if it is not 00:00:00–23:59:59 (Instant.parse takes 24:00 and :60 too). */
    private static int hourMinuteSecond(CharSequence s) {
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (hour < 0 || minute < 0 || second < 0 || hour > 23 || minute > 59 || second > 59) return -1;
        return hour * 3600 + minute * 60 + second;
    }

    /** The decimal number of {@code count} ASCII digits at {@code from}, or -1 if one is not such a digit. */
    private static int digits(CharSequence s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
