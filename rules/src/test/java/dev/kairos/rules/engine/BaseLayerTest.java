package dev.kairos.rules.engine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.Adaptation;
import dev.kairos.rules.BaseItem;
import dev.kairos.rules.Context;
import dev.kairos.rules.Exposures;
import dev.kairos.rules.Placement;
import dev.kairos.rules.Profile;
import dev.kairos.rules.Segment;
import dev.kairos.rules.Signals;
import dev.kairos.rules.TimeOfDay;
import dev.kairos.rules.Weights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Tier-1 base layer: fills placements no rule won, before pack defaults; rules can enhance its items. */
class BaseLayerTest {
    static final RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT);
    static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    static final String PACK = """
            package acme;
            rule "Urgent base pick for high intent"
            when
                $p : Placement( name == "home_banner" )
                $b : BaseItem( placement == "home_banner", segment == null, rank == 1 )
                Signals( intentScore > 0.8 )
            then
                adapt($p).fromBase($b).tone("urgent").priority(5);
            end
            rule "Default banner" salience -100
            when $p : Placement( name == "home_banner" )
            then fallback($p).content("home").format("banner");
            end
            """;
    static final String FEED = """
            {"items": [
              {"placement": "home_banner", "content": "spring-sale", "tone": "casual", "format": "banner", "cta": "Shop the sale", "params": {"discount": "10%"}},
              {"placement": "home_banner", "content": "new-arrivals", "format": "banner"},
              {"placement": "home_banner", "content": "gear-for-runners", "segment": "runners", "format": "banner"},
              {"placement": "product_page", "content": "bundle", "format": "popup"}
            ]}""";

    @AfterAll
    static void close() { compiler.close(); }

    static DecisionInput input(double intent, List<String> segments, List<Exposures.Exposure> seen, Placement... placements) {
        Context c = new Context(null, null, TimeOfDay.of(NOW, ZoneOffset.UTC), null, null, null, null, null);
        List<Segment> segs = segments.stream().map(Segment::of).toList();
        List<Placement> ps = placements.length == 0 ? List.of(Placement.named("home_banner")) : List.of(placements);
        DecisionInput in = new DecisionInput(c, Signals.builder().intentScore(intent).build(), Profile.NONE.at(NOW), segs, Weights.DEFAULT,
                ps, new Exposures(seen, NOW));
        return in.withBase(layer().forPlacements(ps));
    }

    static BaseLayer layer() {
        List<BaseItem> items = new ArrayList<>(BaseLayer.parseFeed(FEED.getBytes(StandardCharsets.UTF_8), false));
        items.add(new BaseItem("home_banner", "most-clicked", null, null, null, null, BaseItem.POPULAR, 0.12, 0, Map.of()));
        return BaseLayer.of(items, BaseLayer.DEFAULT_MAX_PER_SEGMENT);
    }

    static CompiledRules compile(String... extra) {
        List<RuleSource> sources = new ArrayList<>(List.of(new RuleSource("p.drl", PACK)));
        if (extra.length > 0) sources.add(new RuleSource(RulePack.CAPS_FILE, extra[0]));
        return compiler.compile("t", new RulePack(sources)).orThrow();
    }

    @Test
    void aBaseItemFillsAPlacementNoRuleWonBeforeThePackDefault() {
        try (CompiledRules rules = compile()) {
            Evaluation e = rules.evaluate(input(0.1, List.of(), List.of()));
            Adaptation a = e.adaptation("home_banner");
            assertThat(a.getContentId()).as("the feed's first item, editorial before popular").isEqualTo("spring-sale");
            assertThat(a.getLayer()).isEqualTo("tier1");
            assertThat(a.getRule()).isEqualTo("tier1");
            assertThat(a.isFallback()).isFalse();
            assertThat(a.getTone()).isEqualTo("casual");
            assertThat(a.getCta()).isEqualTo("Shop the sale");
            assertThat(a.getParams()).containsEntry("discount", "10%");
            PlacementExplanation x = e.explanations().get("home_banner");
            assertThat(x.layer()).isEqualTo("tier1");
            assertThat(x.why()).startsWith("no rule matched; tier1 base layer: feed item 'spring-sale' (rank 1");
            assertThat(x.candidates()).anySatisfy(c -> {
                assertThat(c.rule()).isEqualTo("Default banner");
                assertThat(c.lostBecause()).isEqualTo("pack default; tier1 base item 'spring-sale' fills the placement");
            });
        }
    }

    @Test
    void aUserInASegmentGetsTheSegmentsItemFirst() {
        try (CompiledRules rules = compile()) {
            assertThat(rules.evaluate(input(0.1, List.of("runners"), List.of())).adaptation("home_banner").getContentId()).isEqualTo("gear-for-runners");
            assertThat(rules.evaluate(input(0.1, List.of("swimmers"), List.of())).adaptation("home_banner").getContentId()).isEqualTo("spring-sale");
        }
    }

    @Test
    void aRuleEnhancesABaseItemAndTheDecisionIsTier2() {
        try (CompiledRules rules = compile()) {
            Evaluation e = rules.evaluate(input(0.9, List.of(), List.of()));
            Adaptation a = e.adaptation("home_banner");
            assertThat(a.getRule()).isEqualTo("Urgent base pick for high intent");
            assertThat(a.getLayer()).isEqualTo("tier2");
            assertThat(a.getContentId()).isEqualTo("spring-sale");
            assertThat(a.getTone()).as("overridden by the rule").isEqualTo("urgent");
            assertThat(a.getCta()).as("kept from the base item").isEqualTo("Shop the sale");
            assertThat(e.explanations().get("home_banner").why()).endsWith("enhances tier1 base item 'spring-sale'");
        }
    }

    @Test
    void withoutBaseItemsThePackDefaultShowsAndTheHoldoutNeverGetsBaseItems() {
        try (CompiledRules rules = compile()) {
            DecisionInput none = input(0.1, List.of(), List.of()).withBase(List.of());
            Adaptation a = rules.evaluate(none).adaptation("home_banner");
            assertThat(a.getContentId()).isEqualTo("home");
            assertThat(a.getLayer()).isEqualTo("fallback");
            assertThat(rules.evaluate(input(0.1, List.of(), List.of()), List.of(), true).adaptation("home_banner").getLayer()).isEqualTo("fallback");
        }
    }

    @Test
    void aPlacementWithoutRulesOrDefaultsIsStillFilledOnlyWithAFormatItRenders() {
        try (CompiledRules rules = compile()) {
            Adaptation ok = rules.evaluate(input(0.1, List.of(), List.of(), new Placement("product_page", java.util.Set.of("popup")))).adaptation("product_page");
            assertThat(ok.getContentId()).isEqualTo("bundle");
            assertThat(ok.getLayer()).isEqualTo("tier1");
            Adaptation no = rules.evaluate(input(0.1, List.of(), List.of(), new Placement("product_page", java.util.Set.of("banner")))).adaptation("product_page");
            assertThat(no.getContentId()).isNull();
            assertThat(no.getLayer()).isEqualTo("fallback");
        }
    }

    @Test
    void pastAPackCapOnlyThePackDefaultShowsNotTheBaseLayer() {
        try (CompiledRules rules = compile("placements:\n  home_banner: 2/24h\n")) {
            List<Exposures.Exposure> seen = List.of(new Exposures.Exposure(NOW.minus(Duration.ofHours(1)), "impression", "home_banner", "tier1"),
                    new Exposures.Exposure(NOW.minus(Duration.ofHours(2)), "impression", "home_banner", "tier1"));
            Evaluation e = rules.evaluate(input(0.1, List.of(), seen));
            assertThat(e.adaptation("home_banner").getContentId()).isEqualTo("home");
            assertThat(e.explanations().get("home_banner").candidates()).anySatisfy(c -> {
                assertThat(c.rule()).isEqualTo("tier1");
                assertThat(c.lostBecause()).startsWith("suppressed: placement cap home_banner 2/24h");
            });
        }
    }

    @Test
    void theLayerRanksPerPlacementAndSegmentFeedFirstAndDropsDuplicates() {
        List<BaseItem> items = new ArrayList<>(BaseLayer.parseFeed(FEED.getBytes(StandardCharsets.UTF_8), false));
        items.add(new BaseItem("home_banner", "spring-sale", null, null, null, null, BaseItem.POPULAR, 5, 0, Map.of()));
        items.add(new BaseItem("home_banner", "most-clicked", null, null, null, null, BaseItem.POPULAR, 0.2, 0, Map.of()));
        BaseLayer layer = BaseLayer.of(items, 3);
        List<BaseItem> home = layer.byPlacement().get("home_banner").stream().filter(i -> i.getSegment() == null).toList();
        assertThat(home).extracting(BaseItem::getContentId).containsExactly("spring-sale", "new-arrivals", "most-clicked");
        assertThat(home).extracting(BaseItem::getRank).containsExactly(1, 2, 3);
        assertThat(home.get(0).getSource()).isEqualTo("feed");
        assertThat(layer.forPlacements(List.of(Placement.named("product_page")))).extracting(BaseItem::getContentId).containsExactly("bundle");
        assertThat(layer.forPlacements(List.of(Placement.named("nowhere")))).isEmpty();
    }

    @Test
    void aBadFeedIsRejectedWithTheItemAndFieldNamed() {
        assertThatThrownBy(() -> BaseLayer.parseFeed("{\"items\":[{\"placement\":\"a\",\"content\":\"b\",\"colour\":\"red\"}]}".getBytes(), false))
                .hasMessageContaining("items[0]: unknown field 'colour'");
        assertThatThrownBy(() -> BaseLayer.parseFeed("{\"items\":[{\"placement\":\"a\"}]}".getBytes(), false))
                .hasMessageContaining("items[0].content is required");
        assertThatThrownBy(() -> BaseLayer.parseFeed("items:\n  - placement: a\n    content: b\n    score: high\n".getBytes(), true))
                .hasMessageContaining("items[0].score must be a number");
        assertThatThrownBy(() -> BaseLayer.parseFeed("{\"items\": [".getBytes(), false)).hasMessageContaining("not valid JSON");
        assertThat(BaseLayer.parseFeed("items:\n  - placement: a\n    content: b\n".getBytes(), true)).hasSize(1);
    }

    @Test
    void baseItemsAreRecordedWithTheFactsSoReplaySeesThem() throws Exception {
        DecisionInput in = input(0.1, List.of(), List.of());
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            FactsCodec.write(g, in, List.of());
        }
        FactsCodec.Facts back = FactsCodec.read(new ObjectMapper().readTree(out.toString()));
        assertThat(back.input().base()).isEqualTo(in.base());
        try (CompiledRules rules = compile()) {
            assertThat(rules.evaluate(back.input()).adaptation("home_banner")).isEqualTo(rules.evaluate(in).adaptation("home_banner"));
        }
    }
}
