package dev.kairos.rules;

import java.util.Objects;

/**
 * Everything about the situation of one decision that is not behaviour: device, location, the
 * user's local time, session, network and the page or screen. One {@code Context} fact is
 * inserted per evaluation.
 *
 * <pre>rule "Evening restaurant offer"
 *when
 *    Context( location.placeType == "restaurant", time.hour &gt;= 18, time.hour &lt;= 22 )
 *    $p : Placement( name == "home_banner" )
 *then
 *    adapt($p).tone("casual").format("carousel").cta("Order now &amp; get 15% off");
 *end</pre>
 *
 * {@code pageType} is what the client sent, or derived from the first path segment of
 * {@code page}: {@code /product/42} → {@code product}, {@code /article/…} or {@code /news/…} →
 * {@code article}, {@code /cart} → {@code cart}, {@code /checkout} → {@code checkout}, {@code /}
 * → {@code home}; anything else → that segment; no page → {@code ""}.
 */
public final class Context {
    private final Device device;
    private final Location location;
    private final TimeOfDay time;
    private final Session session;
    private final String network;
    private final String page;
    private final String pageType;
    private final String locale;

    /**
     * @param network {@code wifi}, {@code cellular}, {@code ethernet}, {@code offline} or {@code unknown}
     * @param page    path or screen name, empty when none
     * @param pageType explicit page type, or {@code null}/empty to derive it from {@code page}
     * @param locale  BCP 47 tag such as {@code de-DE}, empty when unknown
     */
    public Context(Device device, Location location, TimeOfDay time, Session session, String network,
                   String page, String pageType, String locale) {
        this.device = device == null ? Device.UNKNOWN : device;
        this.location = location == null ? Location.UNKNOWN : location;
        this.time = Objects.requireNonNull(time, "time");
        this.session = session == null ? Session.UNKNOWN : session;
        this.network = network == null || network.isBlank() ? "unknown" : network.toLowerCase(java.util.Locale.ROOT);
        this.page = page == null ? "" : page;
        this.pageType = pageType == null || pageType.isBlank() ? pageTypeOf(this.page) : pageType.toLowerCase(java.util.Locale.ROOT);
        this.locale = locale == null ? "" : locale;
    }

    static String pageTypeOf(String page) {
        if (page.isEmpty()) return "";
        String p = page.startsWith("/") ? page.substring(1) : page;
        int q = indexOfAny(p);
        String first = (q < 0 ? p : p.substring(0, q)).toLowerCase(java.util.Locale.ROOT);
        switch (first) {
            case "": return "home";
            case "product": case "products": case "p": case "item": return "product";
            case "article": case "articles": case "news": case "story": return "article";
            case "cart": case "basket": case "bag": return "cart";
            case "checkout": return "checkout";
            case "search": return "search";
            default: return first;
        }
    }

    private static int indexOfAny(String p) {
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '/' || c == '?' || c == '#') return i;
        }
        return -1;
    }

    public Device getDevice() { return device; }
    public Location getLocation() { return location; }
    /** The user's local time; never null. */
    public TimeOfDay getTime() { return time; }
    public Session getSession() { return session; }
    public String getNetwork() { return network; }
    public String getPage() { return page; }
    public String getPageType() { return pageType; }
    public String getLocale() { return locale; }

    @Override public boolean equals(Object o) {
        return o instanceof Context c && device.equals(c.device) && location.equals(c.location) && time.equals(c.time)
                && session.equals(c.session) && network.equals(c.network) && page.equals(c.page)
                && pageType.equals(c.pageType) && locale.equals(c.locale);
    }
    @Override public int hashCode() { return Objects.hash(device, location, time, session, network, page, pageType, locale); }
    @Override public String toString() {
        return "Context{" + device + ", " + location + ", " + time + ", " + session + ", " + network + ", " + page + "}";
    }
}
