package dev.kairos.server.signals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the signal engine keeps per user: the state store's value and the record published
 * to the signals topic (JSON). Times are epoch milliseconds of the server clock when the event
 * was received (0 = never), except {@code lastEventTime}, the client's event time. Mutable; owned
 * by one stream task at a time.
 */
public final class UserState {
    public String userKey;
    /** Anonymous ids merged into this user. */
    public Set<String> aliases = new LinkedHashSet<>();
    /** When set, this record only says: this id is now {@code aliasOf}. */
    public String aliasOf;
    public long events;
    public long firstSeen;
    public long lastSeen;
    public long lastEventTime;

    // current session
    public String sessionId;
    public long sessionStart;
    public int sessionPageViews;
    public int sessionProductViews;
    public int sessionTasks;
    public boolean purchasedInSession;
    public boolean cartAddedInSession;
    public boolean checkoutInSession;
    public int rapidRun;
    public int rapidBursts;
    public Map<String, Double> dwellByCategory = new HashMap<>();

    // current page
    public String pageCategory;
    public long pageStart;
    public double pageScrollDepth;

    // commerce
    public List<ProductView> recentProductViews = new ArrayList<>();
    public int cartItems;
    public long lastCartAdd;
    public long lastPurchase;
    public long lastProductView;
    public int failedPurchasesInRow;
    public List<Long> adTaps = new ArrayList<>();
    public String lastSearch;

    // history across sessions
    public int sessions;
    public int cartSessions;
    public double avgSessionSeconds;
    public double varSessionSeconds;
    public double historyWeight;
    public long historyUpdated;
    public double[] hourHistogram = new double[24];

    // what was shown and what the user did with it (outcomes), newest last, bounded by Exposures.MAX and HORIZON
    public List<Exposure> exposures = new ArrayList<>();

    // Where this state stands in its partition: the offset of the last kairos.events (kairos.outcomes) record
    // applied to it, -1 for none (or a record written before they were kept). A record at or below is one the
    // engine sees again after a crash: already in this state, so it is not applied twice.
    public long eventsOffset = -1;
    public long outcomesOffset = -1;

    /** The record left for an anonymous id once it identified as {@code userId}. */
    public static UserState alias(String anonymousId, String userId) {
        UserState s = new UserState();
        s.userKey = anonymousId;
        s.aliasOf = userId;
        return s;
    }

    /** A product view kept for the recent-views window. */
    public record ProductView(long at, String category) {}

    /** One outcome of decided content: when (epoch ms), its type, placement and rule (may be null). */
    public record Exposure(long at, String type, String placement, String rule) {}
}
