package dev.kairos.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What Kairos remembers of a user across requests, as of the decision's time {@code now}: when
 * they last added to cart, purchased, viewed a product, and how full the cart is. Segment rules
 * read it to place users in micro-segments; one fact per evaluation ({@link #NONE} for a user
 * with no history). Timestamps are {@code null} when the thing never happened.
 *
 * <pre>Profile( hoursSinceCartAdd &lt;= 24, purchasedSinceCartAdd == false )</pre>
 */
public final class Profile {
    /** A user Kairos has never seen. */
    public static final Profile NONE = new Profile(false, null, null, null, null, 0, 0, Instant.EPOCH);

    private final boolean known;
    private final Instant lastEventAt;
    private final Instant lastCartAddAt;
    private final Instant lastPurchaseAt;
    private final Instant lastProductViewAt;
    private final int cartItems;
    private final int sessions;
    private final Instant now;

    /**
     * @param known             true when Kairos has stored events of this user
     * @param lastEventAt       last event of any type
     * @param lastCartAddAt     last add-to-cart
     * @param lastPurchaseAt    last successful purchase
     * @param lastProductViewAt last product view
     * @param cartItems         items in the cart now
     * @param sessions          sessions seen so far
     * @param now               the decision's time, which the "since" helpers measure from
     */
    public Profile(boolean known, Instant lastEventAt, Instant lastCartAddAt, Instant lastPurchaseAt, Instant lastProductViewAt,
                   int cartItems, int sessions, Instant now) {
        this.known = known;
        this.lastEventAt = lastEventAt;
        this.lastCartAddAt = lastCartAddAt;
        this.lastPurchaseAt = lastPurchaseAt;
        this.lastProductViewAt = lastProductViewAt;
        this.cartItems = cartItems;
        this.sessions = sessions;
        this.now = Objects.requireNonNull(now, "now");
    }

    /** The same profile seen at another time. */
    public Profile at(Instant when) {
        return new Profile(known, lastEventAt, lastCartAddAt, lastPurchaseAt, lastProductViewAt, cartItems, sessions, when);
    }

    public boolean isKnown() { return known; }
    public Instant getLastEventAt() { return lastEventAt; }
    public Instant getLastCartAddAt() { return lastCartAddAt; }
    public Instant getLastPurchaseAt() { return lastPurchaseAt; }
    public Instant getLastProductViewAt() { return lastProductViewAt; }
    public int getCartItems() { return cartItems; }
    public int getSessions() { return sessions; }
    public Instant getNow() { return now; }

    /** Hours since the last add-to-cart; a very large number when never. */
    public double getHoursSinceCartAdd() { return hoursSince(lastCartAddAt); }
    /** Hours since the last product view; a very large number when never. */
    public double getHoursSinceProductView() { return hoursSince(lastProductViewAt); }
    /** Minutes since the last event; a very large number when never. */
    public double getMinutesSinceLastEvent() { return hoursSince(lastEventAt) * 60; }
    /** True when a purchase came after the last add-to-cart. */
    public boolean isPurchasedSinceCartAdd() { return after(lastPurchaseAt, lastCartAddAt); }
    /** True when a purchase came after the last product view. */
    public boolean isPurchasedSinceProductView() { return after(lastPurchaseAt, lastProductViewAt); }

    private double hoursSince(Instant t) {
        return t == null ? Double.MAX_VALUE : Math.max(0, Duration.between(t, now).toMillis() / 3_600_000.0);
    }

    private static boolean after(Instant a, Instant b) {
        return a != null && (b == null || !a.isBefore(b));
    }

    @Override public boolean equals(Object o) {
        return o instanceof Profile p && known == p.known && Objects.equals(lastEventAt, p.lastEventAt)
                && Objects.equals(lastCartAddAt, p.lastCartAddAt) && Objects.equals(lastPurchaseAt, p.lastPurchaseAt)
                && Objects.equals(lastProductViewAt, p.lastProductViewAt) && cartItems == p.cartItems
                && sessions == p.sessions && now.equals(p.now);
    }
    @Override public int hashCode() {
        return Objects.hash(known, lastEventAt, lastCartAddAt, lastPurchaseAt, lastProductViewAt, cartItems, sessions, now);
    }
    @Override public String toString() { return "Profile{known=" + known + ", cartItems=" + cartItems + ", sessions=" + sessions + "}"; }
}
