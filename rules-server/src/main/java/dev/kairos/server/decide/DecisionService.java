package dev.kairos.server.decide;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.rules.Adaptation;
import dev.kairos.rules.Variant;
import dev.kairos.rules.Weights;
import dev.kairos.rules.engine.Evaluation;
import dev.kairos.rules.input.DecideRequest;
import dev.kairos.rules.input.DecideRequestReader;
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
import java.util.concurrent.ThreadLocalRandom;

/**
 * Answers one decide request: reads and validates the facts, fuses them with the user's stored
 * signals and profile (this instance's local view; the request's values win), picks the rules
 * version (canary or active) for the user, assigns the user in every active experiment to a variant
 * (one {@link dev.kairos.rules.Variant} fact each) or to its holdout (no fact for it, and pack
 * defaults only for the whole decision), evaluates in memory and names the result with a fresh
 * decision id, then hands the decision to the {@link DecisionLog} (fire-and-forget).
 * Nothing here waits on I/O. Thread-safe.
 */
@Singleton
public class DecisionService {
    private final RuleRegistry registry;
    private final ExperimentRegistry experiments;
    private final CurrentWeights weights;
    private final DecideRequestReader reader;
    private final SignalsView signals;
    private final DecisionLog log;
    private final Timer timer;
    private final Counter fallbacks;
    private final Counter truncated;

    public DecisionService(RuleRegistry registry, ExperimentRegistry experiments, CurrentWeights weights, DecideRequestReader reader, SignalsView signals,
                           DecisionLog log, MeterRegistry meters) {
        this.registry = registry;
        this.experiments = experiments;
        this.weights = weights;
        this.reader = reader;
        this.signals = signals;
        this.log = log;
        this.timer = Timer.builder("kairos.decide").description("Time to evaluate one decide request").register(meters);
        this.fallbacks = Counter.builder("kairos.decide.fallbacks").description("Placements answered with a default").register(meters);
        this.truncated = Counter.builder("kairos.decide.truncated").description("Evaluations stopped at the firing limit").register(meters);
    }

    /** Decides for {@code body}; throws {@link dev.kairos.rules.input.InvalidInputException} for bad input. */
    public Decision decide(JsonNode body) {
        long start = System.nanoTime();
        Weights w = weights.get();
        Instant now = Instant.now();
        // Stored signals and profile first; the request's own values win for the here-and-now.
        DecideRequest request = reader.read(body, w, now, userKey -> signals.stored(userKey, now));
        RuleRegistry.Route route = registry.route(request.userKey());
        // One Variant fact per active experiment the user is in a variant of; a user in any holdout
        // gets pack defaults only (docs/api.md#experiments explains why, and what it does to results).
        List<Assignment> assignments = experiments.assign(request.userKey());
        Evaluation evaluation;
        if (assignments.isEmpty()) {
            evaluation = route.rules().evaluate(request.input());
        } else {
            List<Variant> facts = new ArrayList<>(assignments.size());
            boolean holdout = false;
            for (Assignment a : assignments) {
                facts.addAll(a.facts());
                holdout |= a.holdout();
            }
            evaluation = route.rules().evaluate(request.input(), facts, holdout);
        }
        for (Adaptation a : evaluation.adaptations()) {
            if (a.isFallback()) fallbacks.increment();
        }
        if (evaluation.truncated()) truncated.increment();
        Decision decision = new Decision(newId(), now, request, evaluation, w.getVersion(), route.canary(), assignments);
        timer.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        log.record(decision);
        return decision;
    }

    /** A random (version 4) UUID without SecureRandom's contention; ids need uniqueness, not secrecy. */
    static String newId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
        long lsb = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
