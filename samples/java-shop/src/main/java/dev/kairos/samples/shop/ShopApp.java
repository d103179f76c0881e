package dev.kairos.samples.shop;

import dev.kairos.sdk.Adaptation;
import dev.kairos.sdk.Decision;
import dev.kairos.sdk.Kairos;
import dev.kairos.sdk.KairosClient;
import dev.kairos.sdk.Outcome;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A small shop visit, as a Java app would report it to Kairos: a visitor browses anonymously, signs
 * in, fills the cart and buys, while the shop asks Kairos what to show on the home banner and the
 * product page, shows it, and reports what the visitor did with it.
 *
 * <pre>
 * ./kairos start                                   # prints the write key
 * KAIROS_WRITE_KEY=wk_... java -jar samples/java-shop/target/kairos-sample-java-shop.jar
 * </pre>
 *
 * Settings: {@code KAIROS_URL} (default {@code http://localhost:8080}), {@code KAIROS_WRITE_KEY}
 * (required), {@code KAIROS_SAMPLE_USER} (default {@code shopper-1}).
 */
public final class ShopApp {
    static final List<String> PLACEMENTS = List.of("home_banner", "product_page");

    private final KairosClient kairos;

    ShopApp(KairosClient kairos) {
        this.kairos = kairos;
    }

    public static void main(String[] args) throws Exception {
        String url = System.getenv().getOrDefault("KAIROS_URL", "http://localhost:8080");
        String key = System.getenv("KAIROS_WRITE_KEY");
        if (key == null || key.isBlank()) {
            System.err.println("Set KAIROS_WRITE_KEY to an app write key (./kairos start prints one).");
            System.exit(2);
        }
        String user = System.getenv().getOrDefault("KAIROS_SAMPLE_USER", "shopper-1");
        Path storage = Files.createTempDirectory("kairos-sample-shop");
        try (Kairos kairos = Kairos.builder(key).baseUrl(url).storageDirectory(storage)
                .defaultAdaptation(Adaptation.builder("home_banner").contentId("house-banner").format("banner").cta("Shop now").build())
                .build()) {
            boolean delivered = new ShopApp(kairos).visit(user);
            System.out.println("delivered: " + delivered + ", " + kairos.stats());
            if (!delivered) System.exit(1);
        }
    }

    /** One visit; returns whether everything recorded reached the server. */
    boolean visit(String user) {
        kairos.page("/", null);
        show(kairos.decide(PLACEMENTS, Map.of("page", "/")), "anonymous, first page");

        for (String sku : List.of("sku-101", "sku-102", "sku-103")) {
            kairos.productView(sku, "running-shoes");
            kairos.scroll(0.8, 1200);
        }
        kairos.search("trail running shoes");

        kairos.identify(user, Map.of("plan", "member"));
        kairos.addToCart("sku-102", 1);
        // A sample shows the effect at once: deliver now, so that the server has the cart when it
        // decides. (An app does not wait: events go in batches, and the decision uses what arrived.)
        kairos.flush(Duration.ofSeconds(5));
        sleep(300);
        Decision d = kairos.decide(PLACEMENTS, Map.of("page", "/product/sku-102"));
        show(d, "signed in, cart filled");
        if (d.forPlacement("product_page").map(Adaptation::hasContent).orElse(false)) {
            kairos.outcome(d, "product_page", Outcome.CLICK);
        }

        kairos.checkoutStart();
        kairos.purchase("order-" + System.currentTimeMillis(), 129.90);
        if (d.forPlacement("product_page").map(Adaptation::hasContent).orElse(false)) {
            kairos.outcome(d, "product_page", Outcome.CONVERSION);
        }
        return kairos.flush(Duration.ofSeconds(15));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void show(Decision d, String moment) {
        System.out.println("-- " + moment + ": decision " + d.decisionId() + " (" + d.source() + "), segments " + d.segments());
        for (Adaptation a : d.adaptations()) {
            System.out.println(String.format("   %-13s %s", a.placement(), a.hasContent()
                    ? a.contentId() + " [" + a.format() + ", " + a.tone() + ", \"" + a.cta() + "\"] by rule '" + a.rule() + "'"
                    : "nothing to show (" + a.reason() + ")"));
        }
        d.markShown();
    }
}
