package dev.kairos.bench;

import dev.kairos.rules.Context;
import dev.kairos.rules.Device;
import dev.kairos.rules.Location;
import dev.kairos.rules.Placement;
import dev.kairos.rules.Session;
import dev.kairos.rules.Signals;
import dev.kairos.rules.TimeOfDay;
import dev.kairos.rules.Weights;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.engine.RuleSource;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules and inputs every engine in the benchmarks gets: the default pack, or N generated
 * rules over 20 placements (each rule: device OS, a local-hour bound, an intent threshold and one
 * placement). Inputs rotate through 16 users so that nothing is constant-folded; each has 5 facts
 * (context, signals, weights and two placements).
 */
public final class Workloads {
    static final String[] OS = {"ios", "android", "web"};
    static final int SLOTS = 20;
    static final int INPUTS = 16;

    private Workloads() {}

    /** One generated rule, as data, so every engine gets the same logic. */
    public record GeneratedRule(int index, String os, int fromHour, double minIntent, String placement, String content, int priority) {
        String name() { return "Generated rule " + index; }
    }

    public static List<GeneratedRule> generated(int n) {
        List<GeneratedRule> rules = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rules.add(new GeneratedRule(i, OS[i % OS.length], (i * 7) % 24, (i % 10) / 10.0, "slot_" + (i % SLOTS), "content-" + i, i % 10));
        }
        return rules;
    }

    /** The rules of a workload as a Kairos pack: "default" or a number of generated rules. */
    public static RulePack pack(String workload) {
        if (workload.equals("default")) return RulePack.defaults();
        StringBuilder drl = new StringBuilder("package bench;\n\n");
        for (GeneratedRule r : generated(Integer.parseInt(workload))) {
            drl.append("rule \"").append(r.name()).append("\"\nwhen\n")
               .append("    Context( device.os == \"").append(r.os()).append("\", time.hour >= ").append(r.fromHour()).append(" )\n")
               .append("    Signals( intentScore > ").append(r.minIntent()).append(" )\n")
               .append("    $p : Placement( name == \"").append(r.placement()).append("\" )\n")
               .append("then\n    adapt($p).content(\"").append(r.content()).append("\").priority(").append(r.priority()).append(");\nend\n\n");
        }
        return new RulePack(List.of(new RuleSource("generated.drl", drl.toString())));
    }

    /** The inputs of a workload, rotated by the benchmarks. */
    public static DecisionInput[] inputs(String workload) {
        DecisionInput[] inputs = new DecisionInput[INPUTS];
        for (int i = 0; i < INPUTS; i++) {
            Instant at = Instant.parse("2026-11-23T00:00:00Z").plusSeconds(3600L * ((i * 5) % 24));
            Context ctx = new Context(new Device(i % 2 == 0 ? "mobile" : "desktop", OS[i % OS.length], "", "", ""),
                    new Location(52.5, 13.4, i % 3 == 0 ? "restaurant" : "home", Set.of(), "DE"),
                    TimeOfDay.of(at, ZoneId.of("Europe/Berlin")), new Session("s" + i, 60L * i * 3, null), "wifi",
                    i % 2 == 0 ? "/product/" + i : "/cart", null, "de-DE");
            Signals signals = Signals.builder().intentScore((i % 10) / 10.0 + 0.05).scrollDepth(0.7).dwellSeconds(40)
                    .cartItems(i % 3).cartHistory(1).productViewsByCategory(Map.of("dresses", i % 4))
                    .lastSearch(i % 4 == 0 ? "best pizza" : "").build();
            List<Placement> placements = workload.equals("default")
                    ? List.of(Placement.named(i % 2 == 0 ? "home_banner" : "product_page"), Placement.named("cart_recovery"))
                    : List.of(Placement.named("slot_" + (i % SLOTS)), Placement.named("slot_" + ((i + 7) % SLOTS)));
            inputs[i] = new DecisionInput(ctx, signals, List.of(), Weights.DEFAULT, placements);
        }
        return inputs;
    }
}
