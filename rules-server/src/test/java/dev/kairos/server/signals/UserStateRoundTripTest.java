package dev.kairos.server.signals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The state record keeps everything the signal rules put in a state: after every step of a random
 * sequence of events, outcomes and merges, decoding the state's record gives back the same state, and
 * folding on from the decoded state (as the engine does, reading the store before each event) gives
 * what folding on from the object in memory gives. {@link UserStateSerdeTest} checks hand-made states;
 * this one the states the rules actually produce (sessions ending, windows trimming, histories decaying).
 */
class UserStateRoundTripTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long T0 = Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();
    static final List<String> USERS = List.of("u1", "u2");

    /** One step: a user's event after {@code gapMs}, or (type "merge") user {@code other}'s profile merged into the user's. */
    record Step(String user, String other, long gapMs, String type, String category, double number, int session, boolean outcome) {}

    @Property(tries = 200)
    void everyStateTheRulesProduceSurvivesItsRecord(@ForAll("steps") List<Step> steps) throws IOException {
        SignalRules rules = new SignalRules(SignalConfig.defaults());
        Map<String, UserState> inMemory = new HashMap<>();
        Map<String, byte[]> store = new HashMap<>();
        long now = T0;
        for (Step step : steps) {
            now += step.gapMs();
            UserState kept = inMemory.computeIfAbsent(step.user(), UserStateRoundTripTest::fresh);
            UserState decoded = decoded(store, step.user());
            if (step.type().equals("merge")) {
                if (step.other().equals(step.user()) || !store.containsKey(step.other())) continue;
                byte[] anonymous = store.get(step.other());
                rules.merge(kept, UserStateSerde.read(anonymous));
                rules.merge(decoded, UserStateSerde.read(anonymous));
            } else if (step.outcome()) {
                rules.applyOutcome(kept, event(step, now), now);
                rules.applyOutcome(decoded, event(step, now), now);
            } else {
                rules.apply(kept, event(step, now), now);
                rules.apply(decoded, event(step, now), now);
            }
            byte[] record = UserStateSerde.write(decoded);
            store.put(step.user(), record);
            // As trees: the same state may list a map's entries in another order.
            assertThat((JsonNode) JSON.valueToTree(UserStateSerde.read(UserStateSerde.write(kept))))
                    .as("the record of the state after %s", step).isEqualTo(JSON.valueToTree(kept));
            assertThat((JsonNode) JSON.valueToTree(UserStateSerde.read(record)))
                    .as("folded from decoded records vs. in memory, after %s", step).isEqualTo(JSON.valueToTree(kept));
        }
    }

    private static UserState decoded(Map<String, byte[]> store, String user) {
        UserState s = UserStateSerde.read(store.get(user));
        return s != null ? s : fresh(user);
    }

    private static UserState fresh(String user) {
        UserState s = new UserState();
        s.userKey = user;
        return s;
    }

    static JsonNode event(Step step, long receivedAt) throws IOException {
        Map<String, Object> e = new HashMap<>();
        e.put("type", step.type());
        e.put("userId", step.user());
        e.put("timestamp", Instant.ofEpochMilli(receivedAt - 500).toString());
        if (step.outcome()) {
            e.put("decisionId", "d-" + step.session());
            e.put("placement", step.category() == null ? "home_banner" : step.category());
            e.put("rule", step.session() % 2 == 0 ? "rule-a" : null);
            return JSON.valueToTree(e);
        }
        e.put("sessionId", "s" + step.session());
        e.put("context", Map.of("timezone", step.session() % 2 == 0 ? "Europe/Berlin" : "America/New_York"));
        Map<String, Object> props = new HashMap<>();
        if (step.category() != null) props.put("category", step.category());
        switch (step.type()) {
            case "scroll" -> {
                props.put("depth", step.number());
                props.put("velocity", step.number() * 6000);
            }
            case "product_view", "add_to_cart", "remove_from_cart" -> {
                props.put("productId", "p" + (int) (step.number() * 10));
                props.put("quantity", 1 + (int) (step.number() * 3));
            }
            case "search" -> props.put("query", "q" + (int) (step.number() * 5));
            case "custom", "screen_view" -> props.put("name", "n");
            case "click" -> props.put("target", "t");
            default -> { }
        }
        e.put("properties", props);
        return JSON.valueToTree(e);
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<String> user = Arbitraries.of(USERS);
        // Mostly seconds apart (one session), sometimes past the 30-minute session timeout or the 10-minute product window.
        Arbitrary<Long> gap = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.longs().between(0, 20_000)),
                net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(60_000, 3 * 3_600_000L)));
        // Runs of scrolls and product views (rapid bursts, the recent-views window) need them often.
        Arbitrary<String> type = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just("scroll")),
                net.jqwik.api.Tuple.of(3, Arbitraries.of("product_view", "page_view")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("screen_view", "click", "search", "add_to_cart", "remove_from_cart", "checkout_start",
                        "purchase", "purchase_failed", "ad_click", "task_created", "identify", "custom", "merge",
                        "impression", "dismiss", "conversion")));
        Arbitrary<String> category = Arbitraries.of("dresses", "shoes", "news").injectNull(0.3);
        Arbitrary<Double> number = Arbitraries.doubles().between(0, 1);
        Arbitrary<Integer> session = Arbitraries.integers().between(1, 4);
        Arbitrary<Boolean> outcome = Arbitraries.of(true, false);
        Arbitrary<Step> step = Combinators.combine(user, user, gap, type, category, number, session, outcome)
                .as((u, o, g, t, c, n, s, isOutcome) -> new Step(u, o, g, t, c, n, s,
                        isOutcome && List.of("impression", "click", "dismiss", "conversion").contains(t)));
        return step.list().ofMinSize(1).ofMaxSize(80);
    }
}
