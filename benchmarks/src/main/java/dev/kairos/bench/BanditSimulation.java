package dev.kairos.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The contextual bandit on the real platform ({@code ./kairos start}), against a simulated
 * population whose hidden preferences depend on context and drift. A pack offers three contents
 * with {@code choose("a", "b", "c")} on two placements: {@code home_banner} explores within the
 * default bound (10 %), {@code cheap_banner} within 2 % (the "exploration must be cheap" scenario).
 * Each visit decides both; the simulated user clicks content {@code k} with probability
 * {@code p_k(mobile, intent)}:
 * <pre>weeks 1-2: a = 0.02 + 0.22·mobile,  b = 0.24 − 0.22·mobile,  c = 0.32·intent
 *weeks 3-4: a and b swap (a now suits desktop, b mobile): the drift the loop must recover from</pre>
 * so no single content is best for everyone (a context-free policy cannot win). The hidden intent
 * reaches the platform as scroll depth ({@code signals.depth}, next to random recency and conversion
 * probability); the intent score is computed from them with the weights in use. A third placement,
 * {@code rules_banner}, is today's way without choices: rules show {@code c} above the high-intent
 * threshold and {@code a} otherwise, and the weights are recalibrated after each week
 * ({@code POST /v1/recalibrate}: propensity-weighted, estimated off-policy before publishing). Outcomes
 * (impressions, clicks) go through the outcomes API; the feedback service refits the models
 * {@code --refits} times a week ({@code POST /v1/bandit/refit}, standing in for its 2-minute
 * schedule in compressed time) over the latest week of shown choices
 * ({@code KAIROS_BANDIT_MAX_SAMPLES}: one simulated week's worth). Per week it prints the expected
 * click rate of: static (always the first value), the recalibrated rules, the bandit, and the
 * oracle (the best content for each visit under the hidden truth); for the cheap placement its
 * regret against the oracle and its exploration share. Last line:
 * <pre>RESULT weeks=4 static_ctr=… recalibrated_ctr=… learned_ctr=… oracle_ctr=… ratio=… cheap_ratio=… cheap_regret=… cheap_explore_share=…</pre>
 * with ratio = learned / oracle in the last week.
 *
 * <pre>benchmarks/load/simulate.sh --bandit [--weeks 4] [--users 2000] [--refits 8]</pre>
 */
public final class BanditSimulation {
    static final List<String> ARMS = List.of("a", "b", "c");

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new java.util.HashMap<>(Map.of("--weeks", "4", "--users", "2000", "--refits", "8"));
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
        int weeks = Integer.parseInt(opt.get("--weeks"));
        int users = Integer.parseInt(opt.get("--users"));
        int refits = Integer.parseInt(opt.get("--refits"));
        System.exit(new BanditSimulation().run(weeks, users, refits) ? 0 : 1);
    }

    /** The hidden click probability of content {@code arm} for a visit, in {@code week} (1-based). */
    static double truth(int arm, boolean mobile, double intent, int week) {
        double m = mobile ? 1 : 0;
        boolean drifted = week >= 3;
        return switch (arm) {
            case 0 -> drifted ? 0.24 - 0.22 * m : 0.02 + 0.22 * m;
            case 1 -> drifted ? 0.02 + 0.22 * m : 0.24 - 0.22 * m;
            default -> 0.32 * intent;
        };
    }

    boolean run(int weeks, int users, int refits) throws Exception {
        LearningLoopSimulation sim = new LearningLoopSimulation();
        try (LearningLoopSimulation.Platform p = LearningLoopSimulation.start("bandit", Map.of("KAIROS_RECALIBRATION_ENABLED", "false",
                "KAIROS_BANDIT_ENABLED", "false", "KAIROS_PREDICTORS_ENABLED", "false", "KAIROS_EXPLORATION", "0.1", "KAIROS_EXPLORATION_PLACEMENTS", "cheap_banner=0.02",
                "KAIROS_BANDIT_MAX_SAMPLES", String.valueOf(users)))) {
            JsonNode uploaded = sim.postText(p.rules() + "/v1/rules/versions?name=choose.drl", p.adminKey(), """
                    package sim.bandit;
                    rule "Pick" when $p : Placement( name == "home_banner" ) then adapt($p).content(choose("a", "b", "c")); end
                    rule "Pick cheaply" when $p : Placement( name == "cheap_banner" ) then adapt($p).content(choose("a", "b", "c")); end
                    rule "Rules: c for high intent" when $w : Weights() Signals( intentScore > $w.get("highIntentThreshold") )
                        $p : Placement( name == "rules_banner" ) then adapt($p).content("c"); end
                    rule "Rules: a otherwise" salience -10 when $p : Placement( name == "rules_banner" ) then fallback($p).content("a"); end
                    """);
            sim.post(p.rules() + "/v1/rules/versions/" + uploaded.get("id").asText() + "/activate", p.adminKey(), "{}");
            Random random = new Random(11);
            double[] statics = new double[weeks], learned = new double[weeks], oracle = new double[weeks], cheap = new double[weeks];
            double[] recalibrated = new double[weeks];
            double cheapRegret = 0;
            long cheapExplored = 0, visits = 0;
            long shown = 0, shownAll = 0;
            for (int w = 1; w <= weeks; w++) {
                double s = 0, l = 0, o = 0, c = 0, rc = 0;
                List<String> outcomes = new ArrayList<>();
                for (int u = 0; u < users; u++) {
                    boolean mobile = random.nextBoolean();
                    double intent = random.nextDouble(), recency = random.nextDouble(), conversion = random.nextDouble();
                    String user = "w" + w + "-u" + u;
                    // the hidden intent shows as scroll depth; the intent score is computed from the signals with the weights in use
                    JsonNode d = sim.post(p.rules() + "/v1/decide", p.writeKey(), """
                            {"userId": "%s", "placements": ["home_banner", "cheap_banner", "rules_banner"],
                             "context": {"device": {"type": "%s"}, "timezone": "UTC"},
                             "signals": {"recency": %s, "depth": %s, "conversionProbability": %s}}"""
                            .formatted(user, mobile ? "mobile" : "desktop", recency, intent, conversion));
                    double best = 0;
                    for (int a = 0; a < 3; a++) best = Math.max(best, truth(a, mobile, intent, w));
                    s += truth(0, mobile, intent, w);
                    o += best;
                    for (JsonNode a : d.get("adaptations")) {
                        int arm = ARMS.indexOf(a.get("contentId").asText());
                        double pr = truth(arm, mobile, intent, w);
                        String placement = a.get("placement").asText();
                        if (placement.equals("home_banner")) l += pr;
                        else if (placement.equals("rules_banner")) rc += pr;
                        else {
                            c += pr;
                            cheapRegret += best - pr;
                            if (a.at("/choices/0/explored").asBoolean()) cheapExplored++;
                        }
                        String id = d.get("decisionId").asText();
                        String rule = a.get("rule").asText();
                        outcomes.add(outcome(user, id, placement, rule, "impression"));
                        if (random.nextDouble() < pr) outcomes.add(outcome(user, id, placement, rule, "click"));
                    }
                    visits++;
                    if ((u + 1) % Math.max(1, users / refits) == 0) {
                        send(sim, p, outcomes);
                        shown += choicesShown(outcomes);
                        shownAll += outcomes.stream().filter(x -> x.contains("\"impression\"")).count();
                        outcomes.clear();
                        refit(sim, p, shown);
                    }
                }
                send(sim, p, outcomes);
                shown += choicesShown(outcomes);
                shownAll += outcomes.stream().filter(x -> x.contains("\"impression\"")).count();
                statics[w - 1] = s / users;
                recalibrated[w - 1] = rc / users;
                learned[w - 1] = l / users;
                oracle[w - 1] = o / users;
                cheap[w - 1] = c / users;
                System.out.printf("week %d: static %.1f %%, recalibrated rules %.1f %%, bandit %.1f %%, oracle %.1f %% (cheap placement %.1f %%)%n", w,
                        statics[w - 1] * 100, recalibrated[w - 1] * 100, learned[w - 1] * 100, oracle[w - 1] * 100, cheap[w - 1] * 100);
                if (w < weeks) recalibrate(sim, p, shownAll);
            }
            System.out.println();
            System.out.println("| week | static CTR | recalibrated rules CTR | bandit CTR (10 % exploration) | oracle CTR | bandit / oracle | cheap bandit CTR (2 %) |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (int w = 0; w < weeks; w++) {
                System.out.printf("| %d%s | %.1f %% | %.1f %% | %.1f %% | %.1f %% | %.2f | %.1f %% |%n", w + 1, w + 1 == 3 ? " (drift)" : "", statics[w] * 100,
                        recalibrated[w] * 100, learned[w] * 100, oracle[w] * 100, learned[w] / oracle[w], cheap[w] * 100);
            }
            double ratio = learned[weeks - 1] / oracle[weeks - 1];
            System.out.printf("cheap placement: regret %.1f clicks over %d visits (%.3f per visit), exploration share %.1f %%%n",
                    cheapRegret, visits, cheapRegret / visits, 100.0 * cheapExplored / visits);
            System.out.printf(java.util.Locale.ROOT, "RESULT weeks=%d static_ctr=%.4f recalibrated_ctr=%.4f learned_ctr=%.4f oracle_ctr=%.4f ratio=%.3f cheap_ratio=%.3f "
                            + "cheap_regret=%.4f cheap_explore_share=%.4f%n", weeks, statics[weeks - 1], recalibrated[weeks - 1], learned[weeks - 1],
                    oracle[weeks - 1], ratio,
                    cheap[weeks - 1] / oracle[weeks - 1], cheapRegret / visits, (double) cheapExplored / visits);
            return ratio >= 0.9;
        }
    }

    /** Impressions of placements decided with choose(...) (what the bandit's refit learns from). */
    static long choicesShown(List<String> outcomes) {
        return outcomes.stream().filter(x -> x.contains("\"impression\"") && !x.contains("\"rules_banner\"")).count();
    }

    static String outcome(String user, String decisionId, String placement, String rule, String type) {
        return "{\"decisionId\": \"%s\", \"placement\": \"%s\", \"type\": \"%s\", \"userId\": \"%s\", \"rule\": \"%s\"}"
                .formatted(decisionId, placement, type, user, rule);
    }

    static void send(LearningLoopSimulation sim, LearningLoopSimulation.Platform p, List<String> outcomes) throws Exception {
        for (int from = 0; from < outcomes.size(); from += 500) {
            sim.post(p.rules() + "/v1/outcomes", p.writeKey(), "{\"batch\": [" + String.join(",", outcomes.subList(from, Math.min(outcomes.size(), from + 500))) + "]}");
        }
    }

    /**
     * The weekly recalibration of the rules arm's weights (propensity-weighted, estimated off-policy
     * before publishing): once nearly every shown placement is stored, then waits for rules-server to use what it published.
     */
    static void recalibrate(LearningLoopSimulation sim, LearningLoopSimulation.Platform p, long shown) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (sim.joined(p.feedback(), p.adminKey()) < shown * 0.98 && System.nanoTime() < deadline) Thread.sleep(300);
        JsonNode result = sim.post(p.feedback() + "/v1/recalibrate", p.adminKey(), "");
        System.out.printf("  recalibration: %s (%s)%n", result.get("status").asText(), result.get("reason").asText());
        if (result.get("status").asText().equals("published")) {
            String version = result.get("candidate").get("version").asText();
            long until = System.nanoTime() + 60_000_000_000L;
            while (!version.equals(sim.post(p.rules() + "/v1/decide", p.writeKey(), "{\"userId\": \"probe\", \"placements\": [\"rules_banner\"]}")
                    .get("weightsVersion").asText()) && System.nanoTime() < until) Thread.sleep(250);
        }
    }

    /** Refits once the feedback service has stored (nearly) every shown choice so far, and waits for rules-server to use the models. */
    static void refit(LearningLoopSimulation sim, LearningLoopSimulation.Platform p, long shown) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        JsonNode models;
        while (true) {
            models = sim.post(p.feedback() + "/v1/bandit/refit", p.adminKey(), "");
            long fit = 0;
            for (JsonNode m : models) for (JsonNode n : m.get("samples")) fit += n.asLong();
            // the refit caps samples per point at one week: enough once nearly all new ones are in, or the cap is reached
            if (fit >= Math.min(shown, 2L * p.maxSamplesHint()) * 0.98 || System.nanoTime() > deadline) break;
            Thread.sleep(300);
        }
        Thread.sleep(1500); // rules-server reads the bandit topic continuously; give it a moment
    }
}
