package dev.kairos.android.shrink;

import android.app.Activity;
import dev.kairos.android.KairosAndroid;
import dev.kairos.sdk.Decision;
import dev.kairos.sdk.Kairos;

import java.util.Collections;
import java.util.List;

/**
 * What a typical Android app calls, the root {@code ShrinkTest} shrinks the Android SDK from to
 * measure what an app ships: set-up from the manifest, events, a decision, an impression.
 */
public final class AndroidSampleApp {
    private AndroidSampleApp() { }

    public static String onHomeShown(Activity activity) {
        KairosAndroid kairos = KairosAndroid.with(activity);
        Kairos core = kairos.kairos();
        core.screen("home", null);
        core.productView("sku-42", "dresses");
        Decision d = core.decide(List.of("home_banner"), Collections.singletonMap("page", "/home"));
        d.markShown();
        return d.forPlacement("home_banner").map(a -> a.contentId()).orElse(null);
    }
}
