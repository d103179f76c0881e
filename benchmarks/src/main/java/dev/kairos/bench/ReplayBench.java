package dev.kairos.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.kairos.rules.Adaptation;
import dev.kairos.rules.cli.RulesCli;
import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.engine.Evaluation;
import dev.kairos.rules.engine.FactsCodec;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.engine.RuleSource;

import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * How fast {@code ./kairos rules replay} replays recorded decisions: writes N recorded decisions
 * (the default workload's facts, logged with what the default pack showed, 5 % engaged) as the
 * NDJSON of {@code GET /v1/replay-log}, then replays a candidate (the default pack with one rule's
 * content changed) on them with the real command line, timed. The export over HTTP is not in the
 * figure (it streams from the database; see docs/benchmarks.md).
 * <pre>benchmarks/load/replay.sh [--decisions 1000000]</pre>
 */
public final class ReplayBench {
    /** Varied decisions over the default pack's placements: devices, places, local hours, intent, carts, searches. */
    static DecisionInput[] inputs(int count, Random r) {
        String[] types = {"mobile", "desktop", "tablet"};
        String[] oses = {"ios", "android", "web"};
        String[] places = {"restaurant", "home", "cafe", ""};
        String[] pages = {"/product/42", "/cart", "/", "/article/7"};
        DecisionInput[] out = new DecisionInput[count];
        for (int i = 0; i < count; i++) {
            java.time.Instant at = java.time.Instant.parse("2026-11-23T00:00:00Z").plusSeconds(60L * r.nextInt(24 * 60 * 7));
            dev.kairos.rules.Context ctx = new dev.kairos.rules.Context(new dev.kairos.rules.Device(types[r.nextInt(3)], oses[r.nextInt(3)], "", "", ""),
                    new dev.kairos.rules.Location(52.5, 13.4, places[r.nextInt(places.length)], java.util.Set.of(), "DE"),
                    dev.kairos.rules.TimeOfDay.of(at, java.time.ZoneId.of("Europe/Berlin")), new dev.kairos.rules.Session("s" + i, r.nextInt(3000), null),
                    "wifi", pages[r.nextInt(pages.length)], null, "de-DE");
            dev.kairos.rules.Signals signals = dev.kairos.rules.Signals.builder().intentScore(r.nextDouble()).scrollDepth(r.nextDouble())
                    .dwellSeconds(r.nextInt(90)).cartItems(r.nextInt(3)).cartHistory(r.nextInt(2)).adTapRate(r.nextInt(5) == 0 ? 3 : 0)
                    .productViewsByCategory(java.util.Map.of("dresses", r.nextInt(5))).lastSearch(r.nextInt(4) == 0 ? "best pizza" : "").build();
            List<dev.kairos.rules.Placement> placements = List.of(dev.kairos.rules.Placement.named("home_banner"),
                    dev.kairos.rules.Placement.named(r.nextBoolean() ? "product_page" : "cart_recovery"));
            out[i] = new DecisionInput(ctx, signals, List.of(), dev.kairos.rules.Weights.DEFAULT, placements);
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        int n = 1_000_000;
        for (int i = 0; i < args.length; i++) if (args[i].equals("--decisions")) n = Integer.parseInt(args[++i]);
        Path dir = Files.createTempDirectory("kairos-replay-bench");
        Path log = dir.resolve("replay-log.ndjson");
        DecisionInput[] inputs = inputs(256, new Random(11));
        String[] facts = new String[inputs.length];
        String[][] logged = new String[inputs.length][];
        try (RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT); CompiledRules pack = compiler.compile("v1", RulePack.defaults()).orThrow()) {
            for (int i = 0; i < inputs.length; i++) {
                StringWriter w = new StringWriter();
                try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
                    FactsCodec.write(g, inputs[i], List.of());
                }
                facts[i] = w.toString();
                Evaluation e = pack.evaluate(inputs[i]);
                logged[i] = new String[e.adaptations().size() * 3];
                int k = 0;
                for (Adaptation a : e.adaptations()) {
                    logged[i][k++] = a.getPlacement();
                    logged[i][k++] = a.getRule();
                    logged[i][k++] = a.getContentId();
                }
            }
        }
        Random random = new Random(7);
        long bytes;
        try (BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (int d = 0; d < n; d++) {
                int i = d % inputs.length;
                StringBuilder b = new StringBuilder(facts[i].length() + 400);
                b.append("{\"decisionId\":\"d").append(d).append("\",\"decidedAt\":").append(1_763_000_000_000L + d)
                        .append(",\"rulesVersion\":\"v1\",\"facts\":").append(facts[i]).append(",\"placements\":[");
                for (int k = 0; k < logged[i].length; k += 3) {
                    if (k > 0) b.append(',');
                    b.append("{\"placement\":\"").append(logged[i][k]).append("\",\"rule\":\"").append(logged[i][k + 1])
                            .append("\",\"contentId\":").append(logged[i][k + 2] == null ? "null" : "\"" + logged[i][k + 2] + "\"")
                            .append(",\"fallback\":false,\"shown\":true,\"engaged\":").append(random.nextDouble() < 0.05)
                            .append(",\"dismissed\":false,\"converted\":false,\"propensity\":1.0}");
                }
                out.append(b).append(']').append('}').append('\n');
            }
        }
        bytes = Files.size(log);
        System.out.printf("wrote %,d recorded decisions (%,.0f MB, %,d bytes each on average) to %s%n", n, bytes / 1e6, bytes / n, log);
        Path candidate = Files.createDirectories(dir.resolve("candidate"));
        RuleSource evening = RulePack.defaults().sources().stream().filter(s -> s.name().equals("evening_offers.drl")).findFirst().orElseThrow();
        Files.writeString(candidate.resolve(evening.name()), evening.drl().replace("restaurant-deals", "restaurant-deals-v2"));

        StringWriter report = new StringWriter();
        long start = System.nanoTime();
        int code = RulesCli.run(new String[] {"replay", candidate.toString(), "--with-defaults", "--log", log.toString(), "--limit", String.valueOf(n)},
                new PrintWriter(report, true), new PrintWriter(System.err, true));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.print(report);
        if (code != 0) throw new IllegalStateException("replay exited " + code);
        System.out.printf("RESULT replay_decisions=%d seconds=%.1f decisions_per_s=%.0f target_seconds=60 cores=%d%n", n, seconds, n / seconds,
                Runtime.getRuntime().availableProcessors());
        Files.delete(log);
    }
}
