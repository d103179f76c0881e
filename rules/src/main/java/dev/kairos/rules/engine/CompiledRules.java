package dev.kairos.rules.engine;

import dev.kairos.rules.Adaptation;
import dev.kairos.rules.AdaptationBuilder;
import dev.kairos.rules.BaseItem;
import dev.kairos.rules.Placement;
import dev.kairos.rules.Segment;
import dev.kairos.rules.engine.internal.Firing;
import dev.kairos.rules.engine.internal.FiringListener;
import dev.kairos.rules.engine.internal.RuleInfo;
import org.kie.api.KieBase;
import org.kie.api.definition.rule.Rule;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.KieSessionsPool;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One compiled rules version, ready to evaluate. Compiled once by {@link RuleCompiler}; each
 * {@link #evaluate} borrows a session from a pool (Drools' {@link KieSessionsPool}, which resets
 * a session when it is returned), inserts the facts, fires with an upper bound, and ranks what the
 * rules recorded. Nothing is rebuilt per call. Thread-safe.
 *
 * <p>Bounds per evaluation: at most {@link CompileLimits#maxFirings()} firings (the result is then
 * marked truncated), at most {@link dev.kairos.rules.policy.PackPolicy#MAX_INSERTED_FACTS} facts
 * inserted by rules (beyond that the evaluation fails with an exception), and an evaluation whose
 * thread is interrupted (a caller gave up at its deadline) stops before the next firing with an
 * {@link EvaluationAbandonedException}. A session that did not finish cleanly is destroyed, not
 * returned to the pool.
 */
public final class CompiledRules implements AutoCloseable {
    /** Ranking of candidates for one placement: rule answers before defaults, priority, salience, name. */
    static final Comparator<AdaptationBuilder> RANKING = Comparator
            .comparing(AdaptationBuilder::isFallback)
            .thenComparing(AdaptationBuilder::getPriority, Comparator.reverseOrder())
            .thenComparing(AdaptationBuilder::getSalience, Comparator.reverseOrder())
            .thenComparing(AdaptationBuilder::getRule, Comparator.nullsLast(Comparator.naturalOrder()));

    private final String version;
    private final KieBase kieBase;
    private final KieSessionsPool pool;
    private final FiringListener listener;
    private final List<String> ruleNames;
    private final java.util.Set<String> allRuleNames;
    private final int maxFirings;
    private final Map<String, Double> thresholds;
    private final Map<String, DeliveryLimits> limits;
    private final PackCaps caps;
    /** Whether a rule names {@code BaseItem}: base items are inserted as facts only then (the layer's fill needs no facts). */
    private final boolean matchesBase;
    /** Whether a rule names {@code NextBestAction}: computed and inserted only then. */
    private volatile boolean matchesNextBest;

    CompiledRules(String version, KieBase kieBase, Map<Rule, RuleInfo> rules, List<String> ruleNames, int maxFirings) {
        this(version, kieBase, rules, ruleNames, maxFirings, Map.of());
    }

    CompiledRules(String version, KieBase kieBase, Map<Rule, RuleInfo> rules, List<String> ruleNames, int maxFirings,
                  Map<String, Double> thresholds) {
        this(version, kieBase, rules, ruleNames, maxFirings, thresholds, Map.of());
    }

    CompiledRules(String version, KieBase kieBase, Map<Rule, RuleInfo> rules, List<String> ruleNames, int maxFirings,
                  Map<String, Double> thresholds, Map<String, DeliveryLimits> limits) {
        this(version, kieBase, rules, ruleNames, maxFirings, thresholds, limits, PackCaps.NONE);
    }

    CompiledRules(String version, KieBase kieBase, Map<Rule, RuleInfo> rules, List<String> ruleNames, int maxFirings,
                  Map<String, Double> thresholds, Map<String, DeliveryLimits> limits, PackCaps caps) {
        this(version, kieBase, rules, ruleNames, maxFirings, thresholds, limits, caps, true);
    }

    CompiledRules(String version, KieBase kieBase, Map<Rule, RuleInfo> rules, List<String> ruleNames, int maxFirings,
                  Map<String, Double> thresholds, Map<String, DeliveryLimits> limits, PackCaps caps, boolean matchesBase) {
        this.matchesBase = matchesBase;
        this.caps = caps;
        this.thresholds = Map.copyOf(thresholds);
        this.limits = Map.copyOf(limits);
        this.version = version;
        this.kieBase = kieBase;
        this.pool = kieBase.newKieSessionsPool(Runtime.getRuntime().availableProcessors() * 2);
        this.listener = new FiringListener(rules);
        this.ruleNames = List.copyOf(ruleNames);
        java.util.Set<String> all = new java.util.TreeSet<>();
        for (RuleInfo info : rules.values()) all.add(info.name());
        this.allRuleNames = java.util.Collections.unmodifiableSet(all);
        this.maxFirings = maxFirings;
    }

    /** The version label decisions carry. */
    public String version() { return version; }

    /** The thresholds the pack declares ({@code thresholds.yaml}), before experiment overrides. */
    public Map<String, Double> thresholds() { return thresholds; }

    /** Names of the pack's rules in this version, sorted. */
    public List<String> ruleNames() { return ruleNames; }

    /** Names of every rule that can fire, the built-in segment rules included, sorted. */
    public java.util.Set<String> allRuleNames() { return allRuleNames; }

    /** The underlying Drools knowledge base (for tools and benchmarks). */
    public KieBase kieBase() { return kieBase; }

    /** Evaluates the rules against {@code input}. */
    public Evaluation evaluate(DecisionInput input) {
        return evaluate(input, List.of(), false);
    }

    /**
     * Evaluates the rules against {@code input} with the user's experiment {@code variants} as
     * extra {@link dev.kairos.rules.Variant} facts. With {@code defaultsOnly} (an experiment's
     * holdout) rules still fire (segments are still derived and rules are still explained), but only
     * pack defaults ({@code fallback(...)}) may win a placement; every other candidate loses with
     * the reason "holdout".
     */
    /** Set by the compiler when a rule of the pack names {@code NextBestAction}. */
    void matchesNextBest(boolean v) {
        matchesNextBest = v;
    }

    public Evaluation evaluate(DecisionInput input, List<dev.kairos.rules.Variant> variants, boolean defaultsOnly) {
        return evaluate(input, variants, defaultsOnly, dev.kairos.rules.learn.Exploration.NONE);
    }

    /**
     * The same, answering the rules' {@code choose(...)} with {@code exploration}'s models and
     * bounds; a holdout ({@code defaultsOnly}) never explores.
     */
    public Evaluation evaluate(DecisionInput input, List<dev.kairos.rules.Variant> variants, boolean defaultsOnly,
                               dev.kairos.rules.learn.Exploration exploration) {
        KieSession session = pool.newKieSession();
        Firing firing = Firing.begin();
        firing.explore(exploration, !defaultsOnly, input);
        boolean clean = false;
        try {
            if (session.getAgendaEventListeners().isEmpty()) {
                session.addEventListener((org.kie.api.event.rule.AgendaEventListener) listener);
                session.addEventListener((org.kie.api.event.rule.RuleRuntimeEventListener) listener);
            }
            session.insert(input.context());
            session.insert(input.signals());
            session.insert(input.weights());
            session.insert(input.profile());
            for (Segment s : input.segments()) session.insert(s);
            for (Placement p : input.placements()) session.insert(p);
            for (dev.kairos.rules.Variant v : variants) session.insert(v);
            session.insert(dev.kairos.rules.Thresholds.of(thresholds, variants));
            session.insert(input.exposures());
            if (matchesBase) for (BaseItem b : input.base()) session.insert(b);
            if (matchesNextBest) for (dev.kairos.rules.NextBestAction n : exploration.nextBest(input)) session.insert(n);
            int fired = session.fireAllRules(maxFirings);
            if (Thread.currentThread().isInterrupted()) throw new EvaluationAbandonedException();
            List<String> segments = new ArrayList<>(4);
            for (Object o : session.getObjects(o -> o instanceof Segment)) segments.add(((Segment) o).getName());
            segments.sort(null);
            Evaluation e = resolve(input, firing, fired >= maxFirings, segments, defaultsOnly);
            clean = true;
            return e;
        } finally {
            firing.end();
            // A session a rule broke (an exception, or abandoned at the deadline) is not reused.
            if (clean) session.dispose();
            else session.destroy();
        }
    }

    /**
     * Evaluates synthetic decisions {@code rounds} times (every placement of the default pack, a
     * few contexts and signals), so the first real decisions do not pay for class loading, MVEL's
     * lazy compilation and Drools' lazy network set-up within their deadline. Errors are ignored:
     * a rule that fails on made-up facts fails again, and is reported, on real ones.
     */
    public void warmUp(int rounds) {
        String[] places = {"restaurant", "cafe", "home", ""};
        String[] oses = {"ios", "android", "web"};
        List<Placement> placements = List.of(Placement.named(Placement.HOME_BANNER), Placement.named(Placement.PRODUCT_PAGE),
                Placement.named(Placement.ARTICLE_SUMMARY), Placement.named(Placement.IN_APP_MESSAGE), Placement.named(Placement.CART_RECOVERY));
        java.time.Instant base = java.time.Instant.parse("2026-01-05T00:00:00Z");
        for (int i = 0; i < rounds; i++) {
            dev.kairos.rules.Context context = new dev.kairos.rules.Context(
                    new dev.kairos.rules.Device(i % 2 == 0 ? "mobile" : "desktop", oses[i % oses.length], "", "", ""),
                    new dev.kairos.rules.Location(Double.NaN, Double.NaN, places[i % places.length], java.util.Set.of(), ""),
                    dev.kairos.rules.TimeOfDay.of(base.plusSeconds(3_600L * (i % 24) + 86_400L * (i % 7)), java.time.ZoneOffset.UTC),
                    dev.kairos.rules.Session.UNKNOWN, null, i % 3 == 0 ? "/product/1" : "/", null, null);
            dev.kairos.rules.Signals signals = dev.kairos.rules.Signals.builder().intentScore((i % 10) / 10.0).cartItems(i % 3)
                    .scrollDepth((i % 10) / 10.0).dwellSeconds(i % 60).adTapRate(i % 4).failedPurchasesInRow(i % 6).build();
            try {
                evaluate(new DecisionInput(context, signals, i % 4 == 0 ? List.of(Segment.of("cart_history")) : List.of(),
                        dev.kairos.rules.Weights.DEFAULT, placements));
            } catch (RuntimeException ignored) {
                // a rule that fails here fails on real decisions too, where the breaker sees it
            }
        }
    }

    private Evaluation resolve(DecisionInput input, Firing firing, boolean truncated, List<String> segments, boolean defaultsOnly) {
        Map<String, List<AdaptationBuilder>> byPlacement = new HashMap<>();
        for (AdaptationBuilder b : firing.recorded()) {
            byPlacement.computeIfAbsent(b.getPlacement(), k -> new ArrayList<>(4)).add(b);
        }
        List<Adaptation> adaptations = new ArrayList<>(input.placements().size());
        Map<String, PlacementExplanation> explanations = new LinkedHashMap<>();
        for (Placement p : input.placements()) {
            List<AdaptationBuilder> candidates = byPlacement.getOrDefault(p.getName(), List.of());
            if (candidates.size() > 1) candidates.sort(RANKING);
            AdaptationBuilder winner = null;
            List<Candidate> explained = new ArrayList<>(candidates.size() + 1);
            // The Tier-1 base layer is asked once, where pack defaults start (or after the last rule):
            // a base item fills a placement no rule won, before the pack default.
            boolean baseAsked = defaultsOnly || input.base().isEmpty();
            BaseItem base = null;
            for (AdaptationBuilder c : candidates) {
                if (!baseAsked && c.isFallback() && winner == null) {
                    baseAsked = true;
                    base = baseFor(p, input, segments, explained);
                }
                String lost = null;
                if (defaultsOnly && !c.isFallback()) {
                    lost = "holdout: this user gets pack defaults only";
                } else if (!p.accepts(c.getFormat())) {
                    lost = "placement does not render format '" + c.getFormat() + "'";
                } else if (!c.isFallback() && !c.isSuppressed() && !caps.isEmpty() && (lost = packCapped(p.getName(), input.exposures())) != null) {
                    // the placement or the user reached the pack's cap: only the pack default may show
                } else if (!c.isFallback() && !c.isSuppressed() && !limits.isEmpty() && (lost = limited(c.getRule(), input.exposures())) != null) {
                    // capped or cooling down: the next eligible candidate wins
                } else if (base != null) {
                    lost = "pack default; tier1 base item '" + base.getContentId() + "' fills the placement";
                } else if (winner != null) {
                    lost = lostTo(c, winner);
                } else {
                    winner = c;
                }
                Adaptation a = c.toAdaptation();
                explained.add(new Candidate(c.getRule(), c.getPriority(), c.getSalience(), c.isFallback(),
                        a.isSuppressed(), a.getReason(), lost));
            }
            if (!baseAsked && winner == null) base = baseFor(p, input, segments, explained);
            Adaptation chosen;
            String why;
            if (base != null) {
                chosen = Adaptation.ofBase(base, baseReason(base));
                why = "no rule matched; tier1 base layer: " + baseReason(base);
            } else {
                chosen = winner == null ? Adaptation.emptyFallback(p.getName()) : winner.toAdaptation();
                why = defaultsOnly && winner == null && !candidates.isEmpty() ? "holdout: no pack default for this placement"
                        : defaultsOnly && winner != null ? "holdout: pack default" : why(winner, candidates);
                if (winner != null && winner.getBase() != null) why += "; enhances tier1 base item '" + winner.getBase().getContentId() + "'";
            }
            adaptations.add(chosen);
            explanations.put(p.getName(), new PlacementExplanation(p.getName(), chosen.getRule(), why, explained, chosen.getLayer()));
        }
        List<Trigger> triggers = List.of();
        if (!defaultsOnly && !firing.triggers().isEmpty()) {
            Map<String, Trigger> once = new LinkedHashMap<>();
            for (dev.kairos.rules.TriggerBuilder t : firing.triggers()) {
                once.putIfAbsent(t.getChannel() + "/" + t.getName(),
                        new Trigger(t.getChannel(), t.getName(), t.getRule(), t.getReason(), t.getParams(), t.getCooldown(),
                                triggerReceivers.get(t.getChannel())));
            }
            triggers = List.copyOf(once.values());
        }
        return new Evaluation(version, adaptations, explanations, List.copyOf(firing.fired()), truncated, segments, null, triggers);
    }

    /**
     * The base item that fills {@code p} for this user, or null (none for the placement and the
     * user's segments, or the pack's caps keep content off it); explained as candidate "tier1".
     */
    private BaseItem baseFor(Placement p, DecisionInput input, List<String> segments, List<Candidate> explained) {
        BaseItem best = BaseLayer.best(p, input.base(), segments);
        if (best == null) return null;
        String capped = caps.isEmpty() ? null : packCapped(p.getName(), input.exposures());
        explained.add(new Candidate(Adaptation.TIER1, 0, 0, false, false, baseReason(best), capped));
        return capped == null ? best : null;
    }

    private static String baseReason(BaseItem b) {
        return (BaseItem.POPULAR.equals(b.getSource()) ? "popular with " + (b.getSegment() == null ? "all users" : "segment " + b.getSegment())
                : "feed item" + (b.getSegment() == null ? "" : " for segment " + b.getSegment()))
                + " '" + b.getContentId() + "' (rank " + b.getRank() + ", score " + Math.round(b.getScore() * 1000) / 1000.0 + ")";
    }

    /** Why {@code rule} may not be shown to this user now ({@code @frequencyCap}, {@code @cooldownAfterDismiss}), or null. */
    private String limited(String rule, dev.kairos.rules.Exposures exposures) {
        DeliveryLimits l = limits.get(rule);
        if (l == null) return null;
        if (l.coolsDown()) {
            java.time.Instant dismissed = exposures.lastDismissOf(rule);
            if (dismissed != null && !dismissed.isBefore(exposures.getNow().minus(l.cooldown()))) {
                return "suppressed: cooldownAfterDismiss " + l.cooldownText() + " (dismissed "
                        + dismissed.truncatedTo(java.time.temporal.ChronoUnit.MINUTES) + ")";
            }
        }
        if (l.capped()) {
            java.time.Instant from = exposures.getNow().minus(l.capWindow());
            int shown = 0;
            for (dev.kairos.rules.Exposures.Exposure e : exposures.getItems()) {
                if (e.type().equals("impression") && rule.equals(e.rule()) && !e.at().isBefore(from) && !e.at().isAfter(exposures.getNow())) shown++;
            }
            if (shown >= l.capCount()) {
                return "suppressed: frequencyCap " + l.capText() + " (" + shown + " impressions in the last " + l.capText().substring(l.capText().indexOf('/') + 1) + ")";
            }
        }
        return null;
    }

    /** Why the pack's caps keep rules off {@code placement} for this user now, or null. */
    private String packCapped(String placement, dev.kairos.rules.Exposures exposures) {
        DeliveryLimits p = caps.placements().get(placement);
        if (p != null) {
            int shown = count(exposures, placement, p.capWindow());
            if (shown >= p.capCount()) return "suppressed: placement cap " + placement + " " + p.capText() + " (" + shown + " impressions)";
        }
        DeliveryLimits g = caps.global();
        if (g != null) {
            int shown = count(exposures, null, g.capWindow());
            if (shown >= g.capCount()) return "suppressed: global cap " + g.capText() + " (" + shown + " impressions)";
        }
        return null;
    }

    private static int count(dev.kairos.rules.Exposures exposures, String placement, java.time.Duration window) {
        java.time.Instant from = exposures.getNow().minus(window);
        int n = 0;
        for (dev.kairos.rules.Exposures.Exposure e : exposures.getItems()) {
            if (e.type().equals("impression") && (placement == null || placement.equals(e.placement())) && !e.at().isBefore(from)
                    && !e.at().isAfter(exposures.getNow())) n++;
        }
        return n;
    }

    private volatile Map<String, String> triggerReceivers = Map.of();

    /** Sets the pack's trigger receivers per channel ({@code triggers.yaml}); at compile time. */
    void triggerReceivers(Map<String, String> receivers) {
        this.triggerReceivers = Map.copyOf(receivers);
    }

    /** The pack's trigger receivers per channel ({@code triggers.yaml}); empty: the operator's default per channel. */
    public Map<String, String> triggerReceivers() { return triggerReceivers; }

    /** The pack's caps ({@code caps.yaml}). */
    public PackCaps caps() { return caps; }

    /** The delivery limits of the rules that have any, by rule name. */
    public Map<String, DeliveryLimits> deliveryLimits() { return limits; }

    private static String lostTo(AdaptationBuilder loser, AdaptationBuilder winner) {
        if (loser.isFallback() && !winner.isFallback()) return "pack default; rule '" + winner.getRule() + "' matched";
        if (loser.getPriority() != winner.getPriority()) return "lower priority (" + loser.getPriority() + " < " + winner.getPriority() + ")";
        if (loser.getSalience() != winner.getSalience()) return "same priority, lower salience (" + loser.getSalience() + " < " + winner.getSalience() + ")";
        return "same priority and salience; '" + winner.getRule() + "' comes first by name";
    }

    private static String why(AdaptationBuilder winner, List<AdaptationBuilder> ranked) {
        if (winner == null) return ranked.isEmpty() ? "no rule matched and the pack has no default" : "no candidate's format is rendered by this placement";
        if (ranked.size() == 1) return winner.isFallback() ? "no rule matched; pack default" : "only matching rule";
        return winner.isFallback() ? "no rule matched; best pack default" : "best of " + ranked.size() + " matching rules by priority, salience, name";
    }

    @Override
    public void close() {
        pool.shutdown();
    }

    @Override
    public String toString() {
        return "CompiledRules{" + version + ", " + ruleNames.size() + " rules}";
    }
}
