package dev.kairos.sdk;

import org.jspecify.annotations.Nullable;

import java.io.Closeable;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * What app code calls: implemented by {@link Kairos} (the real client) and by {@link KairosFake}
 * (in memory, for the app's unit tests). Depend on this interface where you want to swap one for
 * the other. Every method behaves as documented on {@link Kairos}.
 */
public interface KairosClient extends Closeable {
    // ---- recording ----

    /** Records an event of {@code type}; see {@link Kairos#track(String, Map)}. */
    void track(String type, @Nullable Map<String, ?> properties);

    /** Records an event under an id the caller chose; see {@link Kairos#track(String, Map, UUID)}. */
    void track(String type, @Nullable Map<String, ?> properties, UUID eventId);

    /** Records an event about {@code userId} named by the call (backends); see {@link Kairos#track(String, String, Map)}. */
    void track(String userId, String type, @Nullable Map<String, ?> properties);

    /** Records an event of {@code type} without properties. */
    default void track(String type) {
        track(type, null);
    }

    /** A screen of a mobile app was shown ({@code screen_view}). */
    default void screen(String name, @Nullable Map<String, ?> properties) {
        track("screen_view", with(properties, "name", name));
    }

    /** A web page was shown ({@code page_view}). */
    default void page(String path, @Nullable Map<String, ?> properties) {
        track("page_view", with(properties, "path", path));
    }

    /** The user scrolled to {@code depth} (0..1) at {@code velocity} px/s. */
    default void scroll(double depth, double velocity) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("depth", depth);
        p.put("velocity", velocity);
        track("scroll", p);
    }

    /** The user clicked {@code target}. */
    default void click(String target) {
        track("click", Collections.singletonMap("target", target));
    }

    /** The user searched for {@code query}. */
    default void search(String query) {
        track("search", Collections.singletonMap("query", query));
    }

    /** The user looked at a product; {@code category} may be null. */
    default void productView(String productId, @Nullable String category) {
        track("product_view", with(category == null ? null : Collections.singletonMap("category", category), "productId", productId));
    }

    /** The user put {@code quantity} of a product in the cart. */
    default void addToCart(String productId, int quantity) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("productId", productId);
        p.put("quantity", Math.max(1, quantity));
        track("add_to_cart", p);
    }

    /** The user took a product out of the cart. */
    default void removeFromCart(String productId) {
        track("remove_from_cart", Collections.singletonMap("productId", productId));
    }

    /** The user started checking out. */
    default void checkoutStart() {
        track("checkout_start", null);
    }

    /** A purchase went through; {@code orderId} may be null. */
    default void purchase(@Nullable String orderId, double value) {
        Map<String, Object> p = new LinkedHashMap<>();
        if (orderId != null) p.put("orderId", orderId);
        p.put("value", value);
        track("purchase", p);
    }

    /** A purchase failed; {@code reason} may be null. */
    default void purchaseFailed(@Nullable String reason) {
        track("purchase_failed", reason == null ? null : Collections.singletonMap("reason", reason));
    }

    /** The user tapped an ad; {@code adId} may be null. */
    default void adClick(@Nullable String adId) {
        track("ad_click", adId == null ? null : Collections.singletonMap("adId", adId));
    }

    // ---- identity ----

    /** Says who the user is; see {@link Kairos#identify}. */
    void identify(String userId, @Nullable Map<String, ?> traits);

    /** Links another anonymous id of the identified user; see {@link Kairos#alias}. */
    void alias(String previousId);

    /** Forgets the user (log-out); see {@link Kairos#reset}. */
    void reset();

    /** The anonymous id of this install. */
    String anonymousId();

    /** The identified user, or {@code null}. */
    @Nullable String userId();

    /** The current session id. */
    String sessionId();

    // ---- decisions and outcomes ----

    /** Which content to show in {@code placements}; see {@link Kairos#decide(List, Map)}. */
    Decision decide(List<String> placements, @Nullable Map<String, ?> context);

    /** Like {@link #decide(List, Map)}, without blocking. */
    CompletableFuture<Decision> decideAsync(List<String> placements, @Nullable Map<String, ?> context);

    /** Which content to show {@code userId} (backends); see {@link Kairos#decide(String, List, Map)}. */
    Decision decide(String userId, List<String> placements, @Nullable Map<String, ?> context);

    /** Like {@link #decide(String, List, Map)}, without blocking. */
    CompletableFuture<Decision> decideAsync(String userId, List<String> placements, @Nullable Map<String, ?> context);

    /** What the user did with a placement of {@code decision}; see {@link Kairos#outcome(Decision, String, Outcome)}. */
    void outcome(Decision decision, String placement, Outcome outcome);

    /** What the user did with a placement of decision {@code decisionId}. */
    void outcome(String decisionId, String placement, Outcome outcome);

    // ---- privacy ----

    /** The user said no; see {@link Kairos#optOut()}. */
    void optOut();

    /** The user agreed again. */
    void optIn();

    /** Whether the user opted out. */
    boolean isOptedOut();

    // ---- control ----

    /** Asks for delivery now; returns at once. */
    void flush();

    /** Delivers everything recorded so far, waiting at most {@code timeout}. */
    boolean flush(Duration timeout);

    /** Counters since the client was built. */
    Stats stats();

    /** Persists, delivers what it can and stops. */
    @Override
    void close();

    private static Map<String, Object> with(@Nullable Map<String, ?> properties, String key, Object value) {
        Map<String, Object> p = properties == null ? new LinkedHashMap<>() : new LinkedHashMap<>(properties);
        p.put(key, value);
        return p;
    }
}
