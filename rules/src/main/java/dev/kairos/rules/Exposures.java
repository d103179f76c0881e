package dev.kairos.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the user was recently shown and did with it: the latest impressions, clicks, dismissals
 * and conversions of decided content (at most {@link #MAX} over {@link #HORIZON}), from the outcomes
 * the app reported, kept by the signal engine so every instance sees the same. One fact per
 * decision; the engine uses it for {@code @frequencyCap} and {@code @cooldownAfterDismiss}, and
 * rules can read it too:
 *
 * <pre>Exposures( dismissRate(7) &gt; 0.5 )                 // fatigue: dismissed more than half of last week's content
 *Exposures( impressionsOn("home_banner", 24) &gt;= 10 )</pre>
 */
public final class Exposures {
    /** Most exposures kept per user (the most recent). */
    public static final int MAX = 64;
    /** How far back exposures are kept. */
    public static final Duration HORIZON = Duration.ofDays(30);
    /** None, at no particular time. */
    public static final Exposures NONE = new Exposures(List.of(), Instant.EPOCH);

    /** One outcome: when, {@code impression}, {@code click}, {@code dismiss} or {@code conversion}, of which placement and rule (rule may be null). */
    public record Exposure(Instant at, String type, String placement, String rule) {
        public Exposure {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(type, "type");
        }
    }

    private final List<Exposure> items;
    private final Instant now;

    /** {@code items} as of {@code now} (the decision's time, which the windows count back from). */
    public Exposures(List<Exposure> items, Instant now) {
        this.items = List.copyOf(items);
        this.now = Objects.requireNonNull(now, "now");
    }

    /** The same exposures seen from {@code now}. */
    public Exposures at(Instant now) { return new Exposures(items, now); }

    public List<Exposure> getItems() { return items; }
    public Instant getNow() { return now; }
    public int getCount() { return items.size(); }

    /** Impressions of content {@code rule} decided, in the last {@code hours}. */
    public int impressions(String rule, int hours) { return count("impression", rule, null, hours); }

    /** Impressions on {@code placement}, of any rule, in the last {@code hours}. */
    public int impressionsOn(String placement, int hours) { return count("impression", null, placement, hours); }

    /** Dismissals of content {@code rule} decided, in the last {@code hours}. */
    public int dismissals(String rule, int hours) { return count("dismiss", rule, null, hours); }

    /** When content {@code rule} decided was last dismissed; null when never (within the horizon). */
    public Instant lastDismissOf(String rule) {
        Instant last = null;
        for (Exposure e : items) {
            if (e.type().equals("dismiss") && Objects.equals(rule, e.rule()) && (last == null || e.at().isAfter(last))) last = e.at();
        }
        return last;
    }

    /** Dismissals over impressions in the last {@code days}, of any content; 0 without impressions. */
    public double dismissRate(int days) {
        int shown = count("impression", null, null, days * 24);
        return shown == 0 ? 0 : Math.min(1.0, (double) count("dismiss", null, null, days * 24) / shown);
    }

    private int count(String type, String rule, String placement, long hours) {
        Instant from = now.minus(Duration.ofHours(hours));
        int n = 0;
        for (Exposure e : items) {
            if (!e.type().equals(type) || e.at().isBefore(from) || e.at().isAfter(now)) continue;
            if (rule != null && !rule.equals(e.rule())) continue;
            if (placement != null && !placement.equals(e.placement())) continue;
            n++;
        }
        return n;
    }

    /**
     * The local hour (in {@code zone}) at which the user clicked or converted most on what was shown
     * (the latest such hour wins a tie), or {@code -1} without any: a best send time from engagement.
     */
    public int bestEngagementHour(java.time.ZoneId zone) {
        int[] counts = new int[24];
        int best = -1;
        for (Exposure e : items) {
            if (!"click".equals(e.type()) && !"conversion".equals(e.type())) continue;
            int h = e.at().atZone(zone).getHour();
            counts[h] += "conversion".equals(e.type()) ? 2 : 1;
            if (best < 0 || counts[h] >= counts[best]) best = h;
        }
        return best;
    }

    @Override public boolean equals(Object o) { return o instanceof Exposures x && items.equals(x.items) && now.equals(x.now); }
    @Override public int hashCode() { return Objects.hash(items, now); }
    @Override public String toString() { return "Exposures{" + items.size() + "}"; }
}
