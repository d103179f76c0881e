package dev.kairos.sdk;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How an app unit-tests its own code against the SDK: a KairosClient, swapped for the fake. */
class KairosFakeTest {
    /** App code as an app would write it: depends on the interface. */
    static final class HomeScreen {
        private final KairosClient kairos;
        String shown;

        HomeScreen(KairosClient kairos) {
            this.kairos = kairos;
        }

        void open(String productId) {
            kairos.productView(productId, "shoes");
            Decision d = kairos.decide(List.of("home_banner"), Map.of("page", "/home"));
            Adaptation a = d.forPlacement("home_banner").orElseThrow();
            if (a.hasContent()) {
                shown = a.contentId();
                d.markShown();
            }
        }
    }

    @Test
    void recordsWhatTheAppDidAndAnswersWhatTheTestScripted() {
        KairosFake kairos = new KairosFake().answer(Adaptation.builder("home_banner").contentId("spring-sale").format("banner").build());
        kairos.identify("u-1", null);
        HomeScreen screen = new HomeScreen(kairos);
        screen.open("sku-9");
        screen.open("sku-9");

        assertThat(screen.shown).isEqualTo("spring-sale");
        assertThat(kairos.eventTypes()).containsExactly("identify", "product_view", "product_view");
        assertThat(kairos.events().get(1).properties).containsEntry("productId", "sku-9").containsEntry("category", "shoes");
        assertThat(kairos.events().get(1).userId).isEqualTo("u-1");
        assertThat(kairos.decisions()).hasSize(2);
        assertThat(kairos.decisions().get(0).context).containsEntry("page", "/home");
        assertThat(kairos.impressions()).as("one per decision").containsExactly("home_banner", "home_banner");
        assertThat(kairos.outcomes().get(0).userId).isEqualTo("u-1");
    }

    @Test
    void behavesLikeTheRealClientWhenTheServerIsDownOrTheUserOptedOut() {
        KairosFake kairos = new KairosFake().answer(Adaptation.builder("home_banner").contentId("spring-sale").build())
                .defaultAdaptation(Adaptation.builder("home_banner").contentId("house-ad").build());
        HomeScreen screen = new HomeScreen(kairos);
        kairos.serverDown(true);
        screen.open("sku-1");
        assertThat(screen.shown).isEqualTo("house-ad");
        assertThat(kairos.impressions()).as("a default has no decision to report").isEmpty();

        kairos.serverDown(false);
        kairos.optOut();
        screen.open("sku-2");
        assertThat(kairos.decisions().get(1).decision().source()).isEqualTo(Decision.Source.DEFAULT);
        assertThat(kairos.eventTypes()).containsExactly("product_view");
        kairos.optIn();
        screen.open("sku-3");
        assertThat(screen.shown).isEqualTo("spring-sale");
    }
}
