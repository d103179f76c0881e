package dev.kairos.rules.engine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.Variant;
import dev.kairos.rules.Weights;
import dev.kairos.rules.input.DecideRequestReader;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FactsCodecTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static String write(DecisionInput input, List<Variant> variants) throws Exception {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            FactsCodec.write(g, input, variants);
        }
        return out.toString();
    }

    @Test
    void factsSurviveTheRoundTripAndEvaluateTheSame() throws Exception {
        String[] requests = {
                """
                {"userId": "u1", "placements": ["home_banner", {"name": "product_page", "formats": ["popup", "banner"]}],
                 "context": {"device": {"type": "mobile", "os": "ios", "osVersion": "17.2"}, "timezone": "Europe/Berlin",
                   "location": {"lat": 52.5, "lon": 13.4, "placeType": "restaurant"}, "page": "/product/42", "network": "wifi",
                   "session": {"id": "s1", "durationSeconds": 1300}, "timestamp": "2026-11-23T18:30:00Z"},
                 "signals": {"intentScore": 0.91, "cartItems": 2, "scrollDepth": 0.7, "dwellSeconds": 40, "lastSearch": "pizza",
                   "custom": {"loyalty": 4.5}, "productViewsByCategory": {"dresses": 3}, "dwellByCategory": {"investigative": 130}},
                 "segments": ["vip"]}""",
                """
                {"anonymousId": "a9", "placements": ["cart_recovery", "in_app_message"], "signals": {"failedPurchasesInRow": 6, "adTapRate": 3.5}}"""
        };
        Weights weights = new Weights("w7", 0.5, 0.2, 0.3, Map.of("highIntentThreshold", 0.7));
        try (RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT); CompiledRules rules = compiler.compile("t", RulePack.defaults()).orThrow()) {
            for (String r : requests) {
                DecisionInput in = new DecideRequestReader().read(JSON.readTree(r), weights, Instant.parse("2026-11-23T18:30:00Z")).input();
                List<Variant> variants = List.of(new Variant("cta-test", "B", Map.of("cta", "Buy")));
                FactsCodec.Facts back = FactsCodec.read(JSON.readTree(write(in, variants)));
                assertThat(back.variants()).isEqualTo(variants);
                assertThat(back.input().signals()).isEqualTo(in.signals());
                assertThat(back.input().placements()).isEqualTo(in.placements());
                assertThat(write(back.input(), back.variants())).as("stable").isEqualTo(write(in, variants));
                Evaluation a = rules.evaluate(in, variants, false);
                Evaluation b = rules.evaluate(back.input(), back.variants(), false);
                assertThat(b.adaptations()).isEqualTo(a.adaptations());
                assertThat(b.firedRules()).isEqualTo(a.firedRules());
            }
        }
    }

    @Test
    void refusesWhatItCannotRead() {
        assertThatThrownBy(() -> FactsCodec.read(JSON.readTree("{\"v\": 9}"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 9");
        assertThatThrownBy(() -> FactsCodec.read(JSON.readTree("[]"))).isInstanceOf(IllegalArgumentException.class);
    }
}
