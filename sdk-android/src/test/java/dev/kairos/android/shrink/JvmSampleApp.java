package dev.kairos.android.shrink;

import dev.kairos.sdk.Adaptation;
import dev.kairos.sdk.Decision;
import dev.kairos.sdk.Kairos;
import dev.kairos.sdk.KairosLogger;

import java.nio.file.Paths;
import java.time.Duration;
import java.util.Collections;
import java.util.List;

/**
 * A sample app's use of the SDK core, shrunk by {@code ShrinkTest} with the SDK's consumer rules
 * and then run: tracks, identifies, decides, reports an impression and delivers. Prints what
 * happened for the test to check. Args: server URL, storage directory.
 */
public final class JvmSampleApp {
    private JvmSampleApp() { }

    public static void main(String[] args) {
        try (Kairos kairos = Kairos.builder("wk_sample").baseUrl(args[0]).storageDirectory(Paths.get(args[1]))
                .logger(KairosLogger.STDERR).decideTimeout(Duration.ofSeconds(5))
                .defaultAdaptation(Adaptation.builder("home_banner").contentId("house-ad").build()).build()) {
            kairos.identify("u-shrunk", Collections.singletonMap("plan", "gold"));
            for (int i = 0; i < 20; i++) kairos.productView("sku-" + i, "shoes");
            kairos.addToCart("sku-3", 1);
            Decision d = kairos.decide(List.of("home_banner"), Collections.singletonMap("page", "/home"));
            System.out.println("DECIDED " + d.source() + " " + d.forPlacement("home_banner").map(Adaptation::contentId).orElse("-")
                    + " variants=" + d.variants() + " fired=" + d.explanation().get("firedRules"));
            d.markShown();
            System.out.println("DELIVERED " + kairos.flush(Duration.ofSeconds(20)));
            System.out.println("STATS " + kairos.stats());
        }
    }
}
