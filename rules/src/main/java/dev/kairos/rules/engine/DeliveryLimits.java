package dev.kairos.rules.engine;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rule's delivery limits, from its annotations: {@code @frequencyCap("3/24h")} (at most 3
 * impressions of what the rule decided per user per 24 hours) and
 * {@code @cooldownAfterDismiss("72h")} (nothing of the rule for 72 hours after the user dismissed
 * it). Durations are a whole number of minutes ({@code m}), hours ({@code h}) or days ({@code d}),
 * at most 90 days; a cap counts 1 to 1000 impressions.
 */
public record DeliveryLimits(int capCount, Duration capWindow, Duration cooldown, String capText, String cooldownText) {
    /** No limits. */
    public static final DeliveryLimits NONE = new DeliveryLimits(0, null, null, null, null);
    private static final Pattern DURATION = Pattern.compile("(\\d{1,5})\\s*([mhd])");
    private static final Pattern CAP = Pattern.compile("(\\d{1,4})\\s*/\\s*(\\d{1,5}\\s*[mhd])");
    private static final Duration MAX = Duration.ofDays(90);

    public boolean capped() { return capCount > 0; }

    public boolean coolsDown() { return cooldown != null; }

    /** {@code "3/24h"} as (3, 24 hours); {@link IllegalArgumentException} with a sentence for anything else. */
    public static DeliveryLimits cap(String text) {
        Matcher m = CAP.matcher(text.strip());
        if (!m.matches()) throw new IllegalArgumentException("@frequencyCap takes \"N/duration\", such as \"3/24h\" (m, h or d)");
        int n = Integer.parseInt(m.group(1));
        if (n < 1 || n > 1000) throw new IllegalArgumentException("@frequencyCap counts 1 to 1000 impressions");
        return new DeliveryLimits(n, duration(m.group(2), "@frequencyCap"), null, text.strip().replace(" ", ""), null);
    }

    /** {@code "72h"} as 72 hours. */
    public static Duration cooldown(String text) {
        return duration(text.strip(), "@cooldownAfterDismiss");
    }

    private static Duration duration(String text, String what) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) throw new IllegalArgumentException(what + " takes a duration such as \"72h\" (m, h or d)");
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.isZero() || d.compareTo(MAX) > 0) throw new IllegalArgumentException(what + " durations are more than 0 and at most 90 days");
        return d;
    }

    /** These limits with the cooldown written {@code text}. */
    public DeliveryLimits withCooldown(String text) {
        return new DeliveryLimits(capCount, capWindow, cooldown(text), capText, text.strip().replace(" ", ""));
    }
}
