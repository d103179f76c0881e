package dev.kairos.server.signals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.rules.Profile;
import dev.kairos.rules.Signals;
import dev.kairos.rules.input.IsoInstants;
import dev.kairos.rules.input.StoredUser;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The formulas of the signal engine (docs/signals.md), as pure functions: {@link #apply} folds one
 * canonical event into a user's state; {@link #toStored} turns a state into the facts of a
 * decision at a given time (recency, dwell and session length depend on "now", so they are
 * computed when deciding, not when the event arrives). Thread-safe.
 */
public final class SignalRules {
    /** Conversion-probability prior: logistic of these terms until a model is fitted (docs/signals.md). */
    static final double CP_BIAS = -3.0, CP_PRODUCT_VIEWS = 0.35, CP_CART = 1.2, CP_CHECKOUT = 1.5, CP_HISTORY = 0.5, CP_FAILED = -0.5;
    private static final int MAX_RECENT = 50;

    private final SignalConfig config;

    public SignalRules(SignalConfig config) {
        this.config = config;
    }

    /** Folds {@code event} (a canonical event, see docs/events.md) received at {@code receivedAt} into {@code s}. */
    /** True for an outcome record (impression, click, dismiss or conversion of a decided placement) rather than an event. */
    static boolean isOutcome(JsonNode record) {
        return record.hasNonNull("decisionId") && record.hasNonNull("placement")
                && java.util.Set.of("impression", "click", "dismiss", "conversion").contains(record.path("type").asText());
    }

    /**
     * Records an outcome among the user's exposures (newest last; at most {@link dev.kairos.rules.Exposures#MAX},
     * none older than {@link dev.kairos.rules.Exposures#HORIZON}). It is not activity: sessions and signals are untouched.
     */
    void applyOutcome(UserState s, JsonNode outcome, long receivedAt) {
        long at = parseTime(outcome.path("timestamp").asText(null), receivedAt);
        if (s.exposures == null) s.exposures = new ArrayList<>();
        s.exposures.add(new UserState.Exposure(at, outcome.path("type").asText(), outcome.path("placement").asText(null),
                outcome.path("rule").asText(null)));
        s.exposures.sort(java.util.Comparator.comparingLong(UserState.Exposure::at));
        long horizon = receivedAt - dev.kairos.rules.Exposures.HORIZON.toMillis();
        s.exposures.removeIf(e -> e.at() < horizon);
        while (s.exposures.size() > dev.kairos.rules.Exposures.MAX) s.exposures.remove(0);
    }

    public void apply(UserState s, JsonNode event, long receivedAt) {
        String type = event.path("type").asText();
        JsonNode props = event.path("properties");
        String sessionId = event.hasNonNull("sessionId") ? event.get("sessionId").asText() : null;
        long eventTime = parseTime(event.path("timestamp").asText(null), receivedAt);

        if (s.firstSeen == 0) s.firstSeen = receivedAt;
        boolean newSession = s.sessionStart == 0
                || receivedAt - s.lastSeen > config.sessionTimeout().toMillis()
                || sessionId != null && s.sessionId != null && !sessionId.equals(s.sessionId);
        if (newSession) startSession(s, sessionId, receivedAt);
        else if (sessionId != null) s.sessionId = sessionId;
        s.events++;
        s.lastSeen = Math.max(s.lastSeen, receivedAt);
        s.lastEventTime = Math.max(s.lastEventTime, eventTime);
        countHour(s, eventTime, zone(event.path("context").path("timezone").asText(null)), receivedAt);

        switch (type) {
            case "page_view", "screen_view" -> {
                closePage(s, receivedAt);
                s.sessionPageViews++;
                s.pageStart = receivedAt;
                s.pageScrollDepth = 0;
                s.pageCategory = text(props, "category");
            }
            case "scroll" -> {
                double depth = props.has("depth") ? props.get("depth").asDouble() : Math.min(1, props.path("depthPx").asDouble() / 1000.0);
                s.pageScrollDepth = Math.max(s.pageScrollDepth, Math.max(0, Math.min(1, depth)));
                boolean rapid = props.path("rapid").asBoolean(false) || props.path("velocity").asDouble(0) >= config.rapidScrollVelocity();
                if (rapid) {
                    s.rapidRun++;
                    if (s.rapidRun == config.rapidScrollRun()) s.rapidBursts++;
                } else {
                    s.rapidRun = 0;
                }
            }
            case "product_view" -> {
                s.sessionProductViews++;
                s.lastProductView = receivedAt;
                String category = text(props, "category");
                s.recentProductViews.add(new UserState.ProductView(receivedAt, category == null ? "" : category));
                trimProductViews(s, receivedAt);
                if (s.pageStart == 0 || category != null) {
                    closePage(s, receivedAt);
                    s.pageStart = receivedAt;
                    s.pageScrollDepth = 0;
                    s.pageCategory = category;
                }
            }
            case "add_to_cart" -> {
                s.cartItems += Math.max(1, props.path("quantity").asInt(1));
                s.lastCartAdd = receivedAt;
                s.cartAddedInSession = true;
            }
            case "remove_from_cart" -> s.cartItems = Math.max(0, s.cartItems - Math.max(1, props.path("quantity").asInt(1)));
            case "checkout_start" -> s.checkoutInSession = true;
            case "purchase" -> {
                s.purchasedInSession = true;
                s.lastPurchase = receivedAt;
                s.failedPurchasesInRow = 0;
                s.cartItems = 0;
            }
            case "purchase_failed" -> s.failedPurchasesInRow++;
            case "ad_click" -> {
                s.adTaps.add(receivedAt);
                s.adTaps.removeIf(t -> receivedAt - t > config.adTapWindow().toMillis());
            }
            case "task_created" -> s.sessionTasks++;
            case "search" -> s.lastSearch = text(props, "query");
            default -> { }
        }
    }

    private void startSession(UserState s, String sessionId, long at) {
        if (s.sessionStart != 0) {
            closePage(s, s.lastSeen);
            double seconds = Math.max(0, (s.lastSeen - s.sessionStart) / 1000.0);
            decayHistory(s, at);
            // Exponentially weighted mean and variance of session length (West's incremental update).
            double w = 1.0;
            double total = s.historyWeight + w;
            double delta = seconds - s.avgSessionSeconds;
            s.avgSessionSeconds += delta * w / total;
            s.varSessionSeconds = (s.historyWeight * (s.varSessionSeconds + delta * delta * w / total)) / total;
            s.historyWeight = total;
            if (s.cartAddedInSession) s.cartSessions++;
        }
        s.sessions++;
        s.sessionId = sessionId;
        s.sessionStart = at;
        s.sessionPageViews = 0;
        s.sessionProductViews = 0;
        s.sessionTasks = 0;
        s.purchasedInSession = false;
        s.cartAddedInSession = false;
        s.checkoutInSession = false;
        s.rapidRun = 0;
        s.rapidBursts = 0;
        s.dwellByCategory = new HashMap<>();
        s.pageStart = 0;
        s.pageCategory = null;
        s.pageScrollDepth = 0;
        s.lastSearch = null;
    }

    /** Older history weighs less: weights halve every half-life. */
    private void decayHistory(UserState s, long at) {
        if (s.historyUpdated != 0 && at > s.historyUpdated) {
            double f = Math.pow(0.5, (at - s.historyUpdated) / (double) config.halfLife().toMillis());
            s.historyWeight *= f;
            for (int h = 0; h < 24; h++) s.hourHistogram[h] *= f;
        }
        s.historyUpdated = at;
    }

    private void countHour(UserState s, long eventTime, ZoneId zone, long receivedAt) {
        decayHistory(s, receivedAt);
        s.hourHistogram[Instant.ofEpochMilli(eventTime).atZone(zone).getHour()] += 1;
    }

    private void closePage(UserState s, long at) {
        if (s.pageStart == 0 || s.pageCategory == null) return;
        double seconds = Math.min(config.maxDwell().toSeconds(), Math.max(0, (at - s.pageStart) / 1000.0));
        // At most 100 categories per session: rules may range over this map (docs/rules-guide.md, limits).
        if (s.dwellByCategory.size() < 100 || s.dwellByCategory.containsKey(s.pageCategory)) {
            s.dwellByCategory.merge(s.pageCategory, seconds, Double::sum);
        }
        s.pageStart = 0;
    }

    private void trimProductViews(UserState s, long now) {
        s.recentProductViews.removeIf(v -> now - v.at() > config.productBurstWindow().toMillis());
        while (s.recentProductViews.size() > MAX_RECENT) s.recentProductViews.remove(0);
    }

    /** The facts for a decision at {@code now}: signals (no intent score: it is computed with the weights) and profile. */
    public StoredUser toStored(UserState s, Instant now) {
        long t = now.toEpochMilli();
        boolean inSession = s.sessionStart != 0 && t - s.lastSeen <= config.sessionTimeout().toMillis();
        double recency = s.lastSeen == 0 ? 0 : Math.max(0, 1 - (t - s.lastSeen) / 60_000.0);
        Signals.Builder b = Signals.builder()
                .recency(Math.min(1, recency))
                .depth(inSession ? s.pageScrollDepth : 0)
                .scrollDepth(inSession ? s.pageScrollDepth : 0)
                .conversionProbability(conversionProbability(s, inSession))
                .cartItems(s.cartItems)
                .secondsSinceCartAdd(s.lastCartAdd == 0 ? -1 : Math.max(0, (t - s.lastCartAdd) / 1000))
                .cartHistory(s.cartSessions + (s.cartAddedInSession && !inSession ? 1 : 0))
                .failedPurchasesInRow(s.failedPurchasesInRow)
                .peakHours(peakHours(s))
                .lastSearch(inSession && s.lastSearch != null ? s.lastSearch : "");
        long windowStart = t - config.adTapWindow().toMillis();
        int taps = 0;
        for (long tap : s.adTaps) if (tap >= windowStart) taps++;
        b.adTapRate(taps * 60_000.0 / config.adTapWindow().toMillis());
        if (inSession) {
            b.rapidScrollBursts(s.rapidBursts)
             .pageViews(s.sessionPageViews)
             .productViews(s.sessionProductViews)
             .purchasedInSession(s.purchasedInSession)
             .tasksCreated(s.sessionTasks)
             .dwellSeconds(s.pageStart == 0 ? 0 : Math.min(config.maxDwell().toSeconds(), (t - s.pageStart) / 1000.0))
             .productViewsByCategory(recentByCategory(s, t))
             .dwellByCategory(dwellWithCurrentPage(s, t))
             .deviation(deviation(s, t));
        }
        Profile profile = new Profile(true, instant(s.lastSeen), instant(s.lastCartAdd), instant(s.lastPurchase),
                instant(s.lastProductView), s.cartItems, s.sessions, now);
        long sessionSeconds = inSession ? Math.max(0, (t - s.sessionStart) / 1000) : -1;
        List<dev.kairos.rules.Exposures.Exposure> seen = new ArrayList<>(s.exposures == null ? 0 : s.exposures.size());
        if (s.exposures != null) {
            for (UserState.Exposure e : s.exposures) seen.add(new dev.kairos.rules.Exposures.Exposure(Instant.ofEpochMilli(e.at()), e.type(), e.placement(), e.rule()));
        }
        return new StoredUser(b, profile, sessionSeconds, new dev.kairos.rules.Exposures(seen, now));
    }

    static double conversionProbability(UserState s, boolean inSession) {
        double z = CP_BIAS
                + CP_PRODUCT_VIEWS * Math.min(inSession ? s.sessionProductViews : 0, 10)
                + CP_CART * (s.cartItems > 0 ? 1 : 0)
                + CP_CHECKOUT * (inSession && s.checkoutInSession ? 1 : 0)
                + CP_HISTORY * Math.min(s.cartSessions, 3) / 3.0
                + CP_FAILED * Math.min(s.failedPurchasesInRow, 5);
        return 1 / (1 + Math.exp(-z));
    }

    private double deviation(UserState s, long t) {
        if (s.sessions < 3 || s.varSessionSeconds <= 0) return 0; // needs two finished sessions
        double seconds = (t - s.sessionStart) / 1000.0;
        double z = (seconds - s.avgSessionSeconds) / Math.sqrt(s.varSessionSeconds);
        return Math.max(-10, Math.min(10, z));
    }

    private Map<String, Integer> recentByCategory(UserState s, long t) {
        Map<String, Integer> m = new HashMap<>();
        for (UserState.ProductView v : s.recentProductViews) {
            if (t - v.at() <= config.productBurstWindow().toMillis() && !v.category().isEmpty()) m.merge(v.category(), 1, Integer::sum);
        }
        return m;
    }

    private Map<String, Double> dwellWithCurrentPage(UserState s, long t) {
        if (s.pageStart == 0 || s.pageCategory == null) return s.dwellByCategory;
        Map<String, Double> m = new HashMap<>(s.dwellByCategory);
        m.merge(s.pageCategory, Math.min(config.maxDwell().toSeconds(), Math.max(0, (t - s.pageStart) / 1000.0)), Double::sum);
        return m;
    }

    /** Up to three local hours with the most (decayed) activity, best first. */
    static List<Integer> peakHours(UserState s) {
        List<Integer> hours = new ArrayList<>();
        double total = 0;
        for (double v : s.hourHistogram) total += v;
        if (total < 5) return hours;
        Integer[] order = new Integer[24];
        for (int h = 0; h < 24; h++) order[h] = h;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(s.hourHistogram[b], s.hourHistogram[a]));
        for (int i = 0; i < 3 && s.hourHistogram[order[i]] > 0; i++) hours.add(order[i]);
        return hours;
    }

    /** Merges {@code other} (an anonymous profile) into {@code into} (the identified user's). */
    public void merge(UserState into, UserState other) {
        if (other.exposures != null && !other.exposures.isEmpty()) {
            if (into.exposures == null) into.exposures = new ArrayList<>();
            into.exposures.addAll(other.exposures);
            into.exposures.sort(java.util.Comparator.comparingLong(UserState.Exposure::at));
            while (into.exposures.size() > dev.kairos.rules.Exposures.MAX) into.exposures.remove(0);
        }
        into.events += other.events;
        into.firstSeen = min(into.firstSeen, other.firstSeen);
        into.lastSeen = Math.max(into.lastSeen, other.lastSeen);
        into.lastEventTime = Math.max(into.lastEventTime, other.lastEventTime);
        into.cartItems = Math.max(into.cartItems, other.cartItems);
        into.lastCartAdd = Math.max(into.lastCartAdd, other.lastCartAdd);
        into.lastPurchase = Math.max(into.lastPurchase, other.lastPurchase);
        into.lastProductView = Math.max(into.lastProductView, other.lastProductView);
        into.sessions += other.sessions;
        into.cartSessions += other.cartSessions;
        into.failedPurchasesInRow = Math.max(into.failedPurchasesInRow, other.failedPurchasesInRow);
        into.recentProductViews.addAll(other.recentProductViews);
        into.recentProductViews.sort((a, b) -> Long.compare(a.at(), b.at()));
        into.adTaps.addAll(other.adTaps);
        for (int h = 0; h < 24; h++) into.hourHistogram[h] += other.hourHistogram[h];
        other.dwellByCategory.forEach((k, v) -> into.dwellByCategory.merge(k, v, Double::sum));
        if (into.lastSearch == null) into.lastSearch = other.lastSearch;
        into.aliases.addAll(other.aliases);
        if (other.userKey != null) into.aliases.add(other.userKey);
    }

    private static long min(long a, long b) {
        if (a == 0) return b;
        if (b == 0) return a;
        return Math.min(a, b);
    }

    private static Instant instant(long ms) { return ms == 0 ? null : Instant.ofEpochMilli(ms); }

    private static String text(JsonNode props, String field) {
        JsonNode v = props.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static long parseTime(String iso, long fallback) {
        if (iso == null) return fallback;
        try {
            return IsoInstants.parse(iso).toEpochMilli();
        } catch (DateTimeException e) {
            return fallback;
        }
    }

    private static ZoneId zone(String tz) {
        if (tz == null) return ZoneOffset.UTC;
        try {
            return ZoneId.of(tz);
        } catch (DateTimeException e) {
            return ZoneOffset.UTC;
        }
    }
}
