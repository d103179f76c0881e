package dev.kairos.rules.input;

import org.junit.jupiter.api.Test;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link IsoInstants} reads the SDKs' form by arithmetic and keeps it as sent; it must answer exactly as
 * {@link Instant#parse} and {@link Instant#toString()} would, for that form and for anything near it.
 */
class IsoInstantsTest {

    @Test
    void readsEveryTextAsInstantParseDoes() {
        Random random = new Random(20261207);
        int read = 0;
        int refused = 0;
        int rewritten = 0;
        for (int n = 0; n < 200_000; n++) {
            String text = mutated(random, random.nextInt(4) == 0 ? anyInstant(random) : sdkInstant(random));
            if (check(text)) {
                read++;
                if (!IsoInstants.isCanonical(text)) rewritten++;
            } else {
                refused++;
            }
        }
        // The generator reaches all three cases often, so a wrong answer in any of them is found.
        assertThat(read).isGreaterThan(50_000);
        assertThat(refused).isGreaterThan(30_000);
        assertThat(rewritten).isGreaterThan(10_000);
    }

    @Test
    void edgesOfTheCalendarAndOfTheForm() {
        for (String text : List.of("2000-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2100-02-29T12:00:00Z", "2024-02-29T23:59:59.999999999Z",
                "2026-04-31T00:00:00Z", "2026-12-31T23:59:60Z", "2026-12-31T24:00:00Z", "2026-11-23T18:30:00.Z",
                "2026-11-23T18:30:00.1234567890Z", "2026-11-23t18:30:00z", "+2026-11-23T18:30:00Z", "2026-11-23T18:30Z",
                "2026-11-23T18:30:00.000Z", "2026-11-23T18:30:00.100000Z", "2026-11-23T18:30:00.5Z", "2026-11-23T18:30:00+01:00",
                "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2026-00-10T00:00:00Z", "2026-13-10T00:00:00Z",
                "2026-11-00T00:00:00Z", "2026-11-23T18:60:00Z", "2026-11-23 18:30:00Z", "2026-11-23T18:30:00.12a4Z", "")) {
            check(text);
        }
    }

    @Test
    void theSdksFormIsKeptAsSent() {
        Random random = new Random(7);
        for (int n = 0; n < 10_000; n++) {
            String text = sdkInstant(random);
            Instant t = IsoInstants.parse(text);
            assertThat(t).isEqualTo(Instant.parse(text));
            // Not formatted again: the very string comes back.
            assertThat(IsoInstants.canonical(text, t)).isSameAs(text);
        }
    }

    /** Whether {@code text} reads as an instant; fails unless IsoInstants answers as Instant.parse and toString do. */
    private static boolean check(String text) {
        Instant expected;
        try {
            expected = Instant.parse(text);
        } catch (DateTimeException e) {
            String thrown = null;
            try {
                IsoInstants.parse(text);
            } catch (DateTimeException mine) {
                thrown = mine.getClass().getName() + ": " + mine.getMessage();
            }
            assertThat(thrown).as("'%s' is refused alike", text).isEqualTo(e.getClass().getName() + ": " + e.getMessage());
            return false;
        }
        Instant actual = IsoInstants.parse(text);
        assertThat(actual).as("'%s' reads alike", text).isEqualTo(expected);
        assertThat(IsoInstants.canonical(text, actual)).as("'%s' is written as toString writes it", text).isEqualTo(expected.toString());
        return true;
    }

    /** As the SDKs stamp events: a millisecond between 2000 and 2100, written by Instant.toString. */
    private static String sdkInstant(Random random) {
        long from = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
        long to = Instant.parse("2100-01-01T00:00:00Z").toEpochMilli();
        return Instant.ofEpochMilli(from + (long) (random.nextDouble() * (to - from))).toString();
    }

    /** Any instant of years 0–9999, to the nanosecond, whole seconds and milliseconds often. */
    private static String anyInstant(Random random) {
        long seconds = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond()
                + (long) (random.nextDouble() * (Instant.parse("9999-12-31T23:59:59Z").getEpochSecond() - Instant.parse("0000-01-01T00:00:00Z").getEpochSecond()));
        int nanos = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1000;
            default -> random.nextInt(1_000_000_000);
        };
        return Instant.ofEpochSecond(seconds, nanos).toString();
    }

    /** {@code text} as given, or changed in one of the ways clients and attackers get it wrong or write it otherwise. */
    private static String mutated(Random random, String text) {
        int dot = text.indexOf('.');
        String whole = dot < 0 ? text.substring(0, 19) : text.substring(0, dot);
        String fraction = dot < 0 ? "" : text.substring(dot + 1, text.length() - 1);
        return switch (random.nextInt(16)) {
            case 0, 1, 2, 3 -> text;
            case 4 -> whole + "." + fraction + "0".repeat(1 + random.nextInt(4)) + "Z"; // trailing zeros, possibly 10+ digits
            case 5 -> fraction.isEmpty() ? whole + ".Z" : whole + "." + fraction.substring(0, 1 + random.nextInt(fraction.length())) + "Z";
            case 6 -> random.nextBoolean() ? text.toLowerCase() : text.replace('T', 't');
            case 7 -> text.substring(0, text.length() - 1) + (random.nextBoolean() ? "+00:00" : "-05:30");
            case 8 -> whole.substring(0, 11) + pick(random, "23:59:60", "24:00:00", "24:00:01", "25:00:00", "12:60:00", "12:00:61") + text.substring(19);
            case 9 -> whole.substring(0, 5) + pick(random, "02-29", "02-30", "04-31", "00-01", "13-01", "01-00", "01-32", "12-31") + text.substring(10);
            case 10 -> text.substring(0, random.nextInt(text.length())); // cut short
            case 11 -> {
                char[] c = text.toCharArray();
                c[random.nextInt(c.length)] = pick(random, "x", " ", "/", "0", "9", ":", "-", ".", "Z", "T", "\u0661").charAt(0);
                yield new String(c);
            }
            case 12 -> (random.nextBoolean() ? "+" : "-") + text;
            case 13 -> text + pick(random, " ", "Z", "0", "\n");
            case 14 -> "0" + text.substring(1);
            default -> whole + "Z"; // the fraction dropped
        };
    }

    private static String pick(Random random, String... choices) {
        return choices[random.nextInt(choices.length)];
    }
}
