package dev.kairos.server.decide;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.rules.Adaptation;
import dev.kairos.rules.Variant;
import dev.kairos.rules.Weights;
import dev.kairos.rules.engine.Evaluation;
import dev.kairos.rules.input.DecideRequest;
import dev.kairos.rules.input.DecideRequestReader;
import dev.kairos.rules.input.StoredUser;
import dev.kairos.server.experiments.Assignment;
import dev.kairos.server.experiments.ExperimentRegistry;
import dev.kairos.server.rules.RuleRegistry;
import dev.kairos.server.signals.SignalsView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Answers one decide request: reads and validates the facts, fuses them with the user's stored
 * signals and profile ({@link SignalsView}: this instance's copy, or in partitioned mode the
 * instance owning the user; the request's values win) and the Tier-1 base items of the requested placements
 * ({@link dev.kairos.server.base.BaseLayerSource}), picks the rules
 * version (canary or active) for the user, assigns the user in every active experiment to a variant
 * (one {@link dev.kairos.rules.Variant} fact each) or to its holdout (no fact for it, and pack
 * defaults only for the whole decision), evaluates on the {@link GuardedEvaluator} (off the event
 * loop, within the decide deadline) and names the result with a fresh decision id, then hands the
 * decision to the {@link DecisionLog} (fire-and-forget). Each evaluation's fate is reported to the
 * {@link RuleRegistry}'s circuit breaker. Nothing here blocks on I/O. Thread-safe.
 *
 * <p>Timers {@code kairos.decide.stage} with tag {@code stage}: {@code parse} (JSON),
 * {@code fusion} (request validation and fusing, signal lookup excluded), {@code signals} (stored
 * signal lookup), {@code queue} (waiting for a worker), {@code drools} (rule evaluation) and
 * {@code serialize} (writing the answer).
 */
@Singleton
public class DecisionService {
    private final RuleRegistry registry;
    private final dev.kairos.server.rules.KnownNames knownNames;
    private final ExperimentRegistry experiments;
    private final CurrentWeights weights;
    private final DecideRequestReader reader;
    private final SignalsView signals;
    private final DecisionLog log;
    private final dev.kairos.server.base.BaseLayerSource base;
    private final dev.kairos.server.learn.LearnedModels learned;
    private final GuardedEvaluator evaluator;
    private final Timer timer;
    private final Timer fusionStage;
    private final Timer signalsStage;
    private final Counter fallbacks;
    private final Counter truncated;

    public DecisionService(RuleRegistry registry, ExperimentRegistry experiments, CurrentWeights weights, DecideRequestReader reader, SignalsView signals,
                           DecisionLog log, GuardedEvaluator evaluator, MeterRegistry meters, dev.kairos.server.rules.KnownNames knownNames,
                           dev.kairos.server.base.BaseLayerSource base, dev.kairos.server.learn.LearnedModels learned) {
        this.base = base;
        this.learned = learned;
        this.registry = registry;
        this.knownNames = knownNames;
        this.experiments = experiments;
        this.weights = weights;
        this.reader = reader;
        this.signals = signals;
        this.log = log;
        this.evaluator = evaluator;
        this.timer = Timer.builder("kairos.decide").description("Time to answer one decide request, queue and evaluation included").register(meters);
        this.fusionStage = stage(meters, "fusion");
        this.signalsStage = stage(meters, "signals");
        this.fallbacks = Counter.builder("kairos.decide.fallbacks").description("Placements answered with a default").register(meters);
        this.truncated = Counter.builder("kairos.decide.truncated").description("Evaluations stopped at the firing limit").register(meters);
    }

    /** The timer of one decide stage ({@code kairos.decide.stage{stage=...}}), with a histogram for percentiles. */
    static Timer stage(MeterRegistry meters, String stage) {
        return Timer.builder("kairos.decide.stage").tag("stage", stage).publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofNanos(1_000)).maximumExpectedValue(java.time.Duration.ofSeconds(1))
                .description("Time spent in one stage of /v1/decide").register(meters);
    }

    /**
     * Decides for {@code body}; throws {@link dev.kairos.rules.input.InvalidInputException} for bad
     * input (before anything is evaluated). The future completes within about the decide deadline,
     * with the rules' answer or the built-in fallback.
     */
    public CompletableFuture<Decision> decide(JsonNode body) {
        long start = System.nanoTime();
        // Stored signals and profile first (at once unless another instance holds the user); the
        // request's own values win for the here-and-now.
        CompletableFuture<SignalsView.Lookup> lookup = signals.lookup(userKey(body));
        if (lookup.isDone()) return decide(body, start, lookup.join());
        return lookup.thenCompose(l -> decide(body, start, l));
    }

    /**
     * The facts a decide request would be evaluated on (stored signals fused with the request's,
     * the user's route and experiment variants), without evaluating anything or recording a
     * decision: for explanations ({@code POST /v1/rules/why}).
     */
    public CompletableFuture<Fused> fuse(JsonNode body) {
        return signals.lookup(userKey(body)).thenApply(lookup -> fuse(body, lookup));
    }

    /** What one decision is made from. */
    public record Fused(DecideRequest request, Weights weights, Instant now, RuleRegistry.Route route, List<Assignment> assignments,
                        List<Variant> variants, boolean holdout) {}

    private Fused fuse(JsonNode body, SignalsView.Lookup lookup) {
        Weights w = weights.get();
        Instant now = Instant.now();
        StoredUser stored = signals.stored(lookup.state(), now);
        learned.apply(stored); // learned conversion probability and churn risk, before the request's own signals
        DecideRequest request = reader.read(body, w, now, userKey -> stored);
        request = learned.segment(request.withBase(base.current().forPlacements(request.input().placements())));
        RuleRegistry.Route route = registry.route(request.userKey());
        // One Variant fact per active experiment the user is in a variant of; a user in any holdout
        // gets pack defaults only (docs/api.md#experiments explains why, and what it does to results).
        List<Assignment> assignments = experiments.assign(request.userKey());
        List<Variant> facts = List.of();
        boolean holdout = false;
        if (!assignments.isEmpty()) {
            facts = new ArrayList<>(assignments.size());
            for (Assignment a : assignments) {
                facts.addAll(a.facts());
                holdout |= a.holdout();
            }
        }
        return new Fused(request, w, now, route, assignments, facts, holdout);
    }

    private CompletableFuture<Decision> decide(JsonNode body, long start, SignalsView.Lookup lookup) {
        long signalsDone = System.nanoTime();
        Fused fused = fuse(body, lookup);
        DecideRequest request = fused.request();
        knownNames.observe(request.input());
        RuleRegistry.Route route = fused.route();
        List<Assignment> assignments = fused.assignments();
        List<Variant> facts = fused.variants();
        boolean holdout = fused.holdout();
        Weights w = fused.weights();
        Instant now = fused.now();
        String signalsSource = switch (lookup.source()) {
            case STANDBY -> "standby";
            case UNAVAILABLE -> "unavailable";
            default -> null;
        };
        signalsStage.record(signalsDone - start, TimeUnit.NANOSECONDS);
        fusionStage.record(System.nanoTime() - signalsDone, TimeUnit.NANOSECONDS);
        return evaluator.evaluate(route.rules(), request.input(), facts, holdout).thenApply(outcome -> {
            registry.report(route.rules(), outcome.countsAgainstVersion() ? outcome.failure() : null);
            Evaluation evaluation = outcome.evaluation();
            for (Adaptation a : evaluation.adaptations()) {
                if (a.isFallback()) fallbacks.increment();
            }
            if (evaluation.truncated()) truncated.increment();
            long took = System.nanoTime() - start;
            Decision decision = new Decision(newId(), now, request, evaluation, w.getVersion(), route.canary(), assignments, signalsSource,
                    false, took / 1000);
            timer.record(took, TimeUnit.NANOSECONDS);
            log.record(decision);
            return decision;
        });
    }

    /**
     * Evaluates the rules for an idle user (a {@link BackgroundTriggers} sweep) on their stored
     * state alone: one placement named {@code background}, no context but the time; logs the
     * decision (marked background) only when the rules emitted triggers. Completes with the
     * triggers' count.
     */
    public CompletableFuture<Integer> background(String userKey, dev.kairos.server.signals.UserState state) {
        com.fasterxml.jackson.databind.node.ObjectNode body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        body.put("userId", userKey);
        body.putArray("placements").add(BACKGROUND_PLACEMENT);
        Fused fused = fuse(body, new SignalsView.Lookup(state, SignalsView.Source.LOCAL, null));
        RuleRegistry.Route route = fused.route();
        return evaluator.evaluate(route.rules(), fused.request().input(), fused.variants(), fused.holdout()).thenApply(outcome -> {
            Evaluation evaluation = outcome.evaluation();
            if (evaluation.triggers().isEmpty()) return 0;
            log.record(new Decision(newId(), fused.now(), fused.request(), evaluation, fused.weights().getVersion(), route.canary(),
                    fused.assignments(), null, true, -1));
            return evaluation.triggers().size();
        });
    }

    /** The one placement of a background evaluation. */
    public static final String BACKGROUND_PLACEMENT = "background";

    /** The key the stored signals are under, as the reader will take it ({@code userId}, else
     * {@code anonymousId}); null when the body has neither as text (the reader then says what is wrong). */
    static String userKey(JsonNode body) {
        if (body == null || !body.isObject()) return null;
        JsonNode id = body.get("userId");
        if (id != null && !id.isNull()) return id.isTextual() ? id.textValue() : null;
        JsonNode anonymous = body.get("anonymousId");
        return anonymous != null && anonymous.isTextual() ? anonymous.textValue() : null;
    }

    /** A random (version 4) UUID without SecureRandom's contention; ids need uniqueness, not secrecy. */
    static String newId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
        long lsb = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
