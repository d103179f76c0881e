package dev.kairos.rules;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The user's Tier-2 behavioural signals at the moment of the decision: the live scores that the
 * signal engine keeps per user, merged with any signals the client sent with the request.
 * Numbers never are {@code null}: "nothing seen" is {@code 0}, "never happened" is {@code -1}
 * where a duration is meant. Built with {@link #builder()}; immutable.
 *
 * <pre>Signals( intentScore &gt; 0.8 )
 *Signals( productViewsIn("dresses") &gt;= 3, scrollDepth &gt;= 0.7 )
 *Signals( failedPurchasesInRow &gt;= 5 )</pre>
 *
 * {@code intentScore = w1·recency + w2·depth + w3·conversionProbability} with the weights of the
 * current {@link Weights} version, unless the client or the signal engine supplied it.
 */
public final class Signals {
    /** A user about whom nothing is known yet. */
    public static final Signals NONE = builder().build();

    private final double intentScore;
    private final double recency;
    private final double depth;
    private final double conversionProbability;
    private final double churnRisk;
    private final int bestSendHour;
    private final double scrollDepth;
    private final int rapidScrollBursts;
    private final double dwellSeconds;
    private final int pageViews;
    private final int productViews;
    private final Map<String, Integer> productViewsByCategory;
    private final Map<String, Double> dwellByCategory;
    private final int cartItems;
    private final long secondsSinceCartAdd;
    private final int cartHistory;
    private final boolean purchasedInSession;
    private final int failedPurchasesInRow;
    private final double adTapRate;
    private final int tasksCreated;
    private final double deviation;
    private final List<Integer> peakHours;
    private final String lastSearch;
    private final Map<String, Double> custom;

    private Signals(Builder b) {
        this.intentScore = b.intentScore;
        this.recency = b.recency;
        this.depth = b.depth;
        this.conversionProbability = b.conversionProbability;
        this.churnRisk = b.churnRisk;
        this.bestSendHour = b.bestSendHour;
        this.scrollDepth = b.scrollDepth;
        this.rapidScrollBursts = b.rapidScrollBursts;
        this.dwellSeconds = b.dwellSeconds;
        this.pageViews = b.pageViews;
        this.productViews = b.productViews;
        this.productViewsByCategory = Map.copyOf(b.productViewsByCategory);
        this.dwellByCategory = Map.copyOf(b.dwellByCategory);
        this.cartItems = b.cartItems;
        this.secondsSinceCartAdd = b.secondsSinceCartAdd;
        this.cartHistory = b.cartHistory;
        this.purchasedInSession = b.purchasedInSession;
        this.failedPurchasesInRow = b.failedPurchasesInRow;
        this.adTapRate = b.adTapRate;
        this.tasksCreated = b.tasksCreated;
        this.deviation = b.deviation;
        this.peakHours = List.copyOf(b.peakHours);
        this.lastSearch = b.lastSearch;
        this.custom = Map.copyOf(b.custom);
    }

    public static Builder builder() { return new Builder(); }

    /** A builder starting from this instance's values. */
    public Builder toBuilder() { return new Builder(this); }

    /** Intent score 0..1 (see class doc). */
    public double getIntentScore() { return intentScore; }
    /** {@code max(0, 1 − msSinceLastEvent/60000)}, 0..1. */
    public double getRecency() { return recency; }
    /** {@code min(1, scrollDepthPx/1000)} or the client's 0..1 depth. */
    public double getDepth() { return depth; }
    /** Predicted probability of converting in this session, 0..1. */
    public double getConversionProbability() { return conversionProbability; }
    /**
     * Predicted probability that the user does not come back within 7 days, 0..1 (learned from
     * outcomes when a churn model is published, else a prior from sessions and cart history).
     */
    public double getChurnRisk() { return churnRisk; }
    /**
     * The local hour (0–23) at which this user engaged most with what was shown to them (clicks and
     * conversions), else their most active hour; {@code -1} when neither is known. For send-time rules.
     */
    public int getBestSendHour() { return bestSendHour; }
    /** Deepest scroll on the current page as a fraction 0..1. */
    public double getScrollDepth() { return scrollDepth; }
    /** Rapid-scroll bursts in this session, counted only after 3+ consecutive rapid scrolls. */
    public int getRapidScrollBursts() { return rapidScrollBursts; }
    /** Seconds spent on the current page or screen. */
    public double getDwellSeconds() { return dwellSeconds; }
    /** Page and screen views in this session. */
    public int getPageViews() { return pageViews; }
    /** Product views in this session. */
    public int getProductViews() { return productViews; }
    /** Recent (rapid) product views by category, e.g. {@code dresses → 3}. */
    public Map<String, Integer> getProductViewsByCategory() { return productViewsByCategory; }
    /** Seconds of dwell by content category in this session, e.g. {@code investigative → 240}. */
    public Map<String, Double> getDwellByCategory() { return dwellByCategory; }
    /** Items in the cart now. */
    public int getCartItems() { return cartItems; }
    /** Seconds since the last add-to-cart, {@code -1} when never. */
    public long getSecondsSinceCartAdd() { return secondsSinceCartAdd; }
    /** Carts this user filled in earlier sessions. */
    public int getCartHistory() { return cartHistory; }
    /** True once the user purchased in this session. */
    public boolean isPurchasedInSession() { return purchasedInSession; }
    /** Failed purchase attempts in a row (reset by a successful purchase). */
    public int getFailedPurchasesInRow() { return failedPurchasesInRow; }
    /** Ad taps per minute in this session; a high rate means fatigue, not engagement. */
    public double getAdTapRate() { return adTapRate; }
    /** Tasks created in this session (productivity apps). */
    public int getTasksCreated() { return tasksCreated; }
    /** How far this session is from the user's own norm, in standard deviations (signed). */
    public double getDeviation() { return deviation; }
    /** The user's learned engagement peak hours (local time, 0–23), best first. */
    public List<Integer> getPeakHours() { return peakHours; }
    /** The last search query of this session, empty when none. */
    public String getLastSearch() { return lastSearch; }
    /** App-defined numeric signals by name. */
    public Map<String, Double> getCustom() { return custom; }

    /** Recent product views in {@code category}, 0 when none. */
    public int productViewsIn(String category) { return productViewsByCategory.getOrDefault(category, 0); }
    /** Dwell seconds on {@code category} in this session, 0 when none. */
    public double dwellOn(String category) { return dwellByCategory.getOrDefault(category, 0.0); }
    /** An app-defined signal, 0 when absent. */
    public double custom(String name) { return custom.getOrDefault(name, 0.0); }
    /** True when {@code hour} is one of the user's peak hours. */
    public boolean isPeakHour(int hour) { return peakHours.contains(hour); }

    @Override public boolean equals(Object o) {
        if (!(o instanceof Signals s)) return false;
        return Double.compare(intentScore, s.intentScore) == 0 && Double.compare(recency, s.recency) == 0
                && Double.compare(depth, s.depth) == 0 && Double.compare(conversionProbability, s.conversionProbability) == 0
                && Double.compare(churnRisk, s.churnRisk) == 0 && bestSendHour == s.bestSendHour
                && Double.compare(scrollDepth, s.scrollDepth) == 0 && rapidScrollBursts == s.rapidScrollBursts
                && Double.compare(dwellSeconds, s.dwellSeconds) == 0 && pageViews == s.pageViews
                && productViews == s.productViews && productViewsByCategory.equals(s.productViewsByCategory)
                && dwellByCategory.equals(s.dwellByCategory) && cartItems == s.cartItems
                && secondsSinceCartAdd == s.secondsSinceCartAdd && cartHistory == s.cartHistory
                && purchasedInSession == s.purchasedInSession && failedPurchasesInRow == s.failedPurchasesInRow
                && Double.compare(adTapRate, s.adTapRate) == 0 && tasksCreated == s.tasksCreated
                && Double.compare(deviation, s.deviation) == 0 && peakHours.equals(s.peakHours)
                && lastSearch.equals(s.lastSearch) && custom.equals(s.custom);
    }

    @Override public int hashCode() {
        return Objects.hash(intentScore, recency, depth, conversionProbability, churnRisk, bestSendHour, scrollDepth, rapidScrollBursts,
                dwellSeconds, pageViews, productViews, productViewsByCategory, dwellByCategory, cartItems,
                secondsSinceCartAdd, cartHistory, purchasedInSession, failedPurchasesInRow, adTapRate, tasksCreated,
                deviation, peakHours, lastSearch, custom);
    }

    @Override public String toString() {
        return "Signals{intent=" + intentScore + ", recency=" + recency + ", depth=" + depth
                + ", conversion=" + conversionProbability + ", cartItems=" + cartItems + "}";
    }

    /** Builds {@link Signals}; every setter validates its range. Not thread-safe. */
    public static final class Builder {
        private double intentScore = Double.NaN;
        private double recency;
        private double depth;
        private double conversionProbability;
        private double churnRisk;
        private int bestSendHour = -1;
        private double scrollDepth;
        private int rapidScrollBursts;
        private double dwellSeconds;
        private int pageViews;
        private int productViews;
        private Map<String, Integer> productViewsByCategory = Map.of();
        private Map<String, Double> dwellByCategory = Map.of();
        private int cartItems;
        private long secondsSinceCartAdd = -1;
        private int cartHistory;
        private boolean purchasedInSession;
        private int failedPurchasesInRow;
        private double adTapRate;
        private int tasksCreated;
        private double deviation;
        private List<Integer> peakHours = List.of();
        private String lastSearch = "";
        private Map<String, Double> custom = Map.of();

        private Builder() {}

        private Builder(Signals s) {
            intentScore = s.intentScore; recency = s.recency; depth = s.depth;
            conversionProbability = s.conversionProbability; scrollDepth = s.scrollDepth;
            churnRisk = s.churnRisk; bestSendHour = s.bestSendHour;
            rapidScrollBursts = s.rapidScrollBursts; dwellSeconds = s.dwellSeconds; pageViews = s.pageViews;
            productViews = s.productViews; productViewsByCategory = s.productViewsByCategory;
            dwellByCategory = s.dwellByCategory; cartItems = s.cartItems; secondsSinceCartAdd = s.secondsSinceCartAdd;
            cartHistory = s.cartHistory; purchasedInSession = s.purchasedInSession;
            failedPurchasesInRow = s.failedPurchasesInRow; adTapRate = s.adTapRate; tasksCreated = s.tasksCreated;
            deviation = s.deviation; peakHours = s.peakHours; lastSearch = s.lastSearch; custom = s.custom;
        }

        private static double unit(String name, double v) {
            if (!(v >= 0 && v <= 1)) throw new IllegalArgumentException(name + " must be between 0 and 1, was " + v);
            return v;
        }

        private static double nonNegative(String name, double v) {
            if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException(name + " must be a finite number >= 0, was " + v);
            return v;
        }

        private static int nonNegative(String name, int v) {
            if (v < 0) throw new IllegalArgumentException(name + " must be >= 0, was " + v);
            return v;
        }

        public Builder intentScore(double v) { intentScore = unit("intentScore", v); return this; }
        public Builder recency(double v) { recency = unit("recency", v); return this; }
        public Builder depth(double v) { depth = unit("depth", v); return this; }
        public Builder conversionProbability(double v) { conversionProbability = unit("conversionProbability", v); return this; }
        public Builder churnRisk(double v) { churnRisk = unit("churnRisk", v); return this; }
        public Builder bestSendHour(int v) {
            if (v < -1 || v > 23) throw new IllegalArgumentException("bestSendHour must be an hour 0..23 or -1, was " + v);
            bestSendHour = v; return this;
        }
        public Builder scrollDepth(double v) { scrollDepth = unit("scrollDepth", v); return this; }
        public Builder rapidScrollBursts(int v) { rapidScrollBursts = nonNegative("rapidScrollBursts", v); return this; }
        public Builder dwellSeconds(double v) { dwellSeconds = nonNegative("dwellSeconds", v); return this; }
        public Builder pageViews(int v) { pageViews = nonNegative("pageViews", v); return this; }
        public Builder productViews(int v) { productViews = nonNegative("productViews", v); return this; }
        public Builder productViewsByCategory(Map<String, Integer> v) { productViewsByCategory = Map.copyOf(v); return this; }
        public Builder dwellByCategory(Map<String, Double> v) { dwellByCategory = Map.copyOf(v); return this; }
        public Builder cartItems(int v) { cartItems = nonNegative("cartItems", v); return this; }
        public Builder secondsSinceCartAdd(long v) {
            if (v < -1) throw new IllegalArgumentException("secondsSinceCartAdd must be >= 0, or -1 for never, was " + v);
            secondsSinceCartAdd = v; return this;
        }
        public Builder cartHistory(int v) { cartHistory = nonNegative("cartHistory", v); return this; }
        public Builder purchasedInSession(boolean v) { purchasedInSession = v; return this; }
        public Builder failedPurchasesInRow(int v) { failedPurchasesInRow = nonNegative("failedPurchasesInRow", v); return this; }
        public Builder adTapRate(double v) { adTapRate = nonNegative("adTapRate", v); return this; }
        public Builder tasksCreated(int v) { tasksCreated = nonNegative("tasksCreated", v); return this; }
        public Builder deviation(double v) {
            if (!Double.isFinite(v)) throw new IllegalArgumentException("deviation must be finite, was " + v);
            deviation = v; return this;
        }
        public Builder peakHours(List<Integer> v) {
            for (Integer h : v) {
                if (h == null || h < 0 || h > 23) throw new IllegalArgumentException("peakHours must be hours 0..23, was " + h);
            }
            peakHours = List.copyOf(v); return this;
        }
        public Builder lastSearch(String v) { lastSearch = v == null ? "" : v; return this; }
        public Builder custom(Map<String, Double> v) { custom = Map.copyOf(v); return this; }

        /** The peak hours set so far. */
        public List<Integer> peakHoursSoFar() { return peakHours; }

        /** The custom signals set so far. */
        public Map<String, Double> customSignals() { return custom; }

        /**
         * The signals as built so far, without changing this builder (an intent score not set is
         * computed with the default weights in the copy only): what predictive models read.
         */
        public Signals peek() {
            double saved = intentScore;
            Signals s = build(Weights.DEFAULT);
            intentScore = saved;
            return s;
        }

        /** True when an intent score was set explicitly (otherwise it is computed from weights). */
        public boolean hasIntentScore() { return !Double.isNaN(intentScore); }

        /**
         * Builds the signals; when no intent score was set it is computed with {@code weights}.
         */
        public Signals build(Weights weights) {
            if (Double.isNaN(intentScore)) {
                intentScore = weights.score(recency, depth, conversionProbability);
            }
            return new Signals(this);
        }

        /** Builds the signals with the {@link Weights#DEFAULT default weights}. */
        public Signals build() { return build(Weights.DEFAULT); }
    }
}
