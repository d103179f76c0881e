package dev.kairos.rules.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.Adaptation;
import dev.kairos.rules.Signals;
import dev.kairos.rules.Weights;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.engine.Evaluation;
import dev.kairos.rules.engine.FactsCodec;
import dev.kairos.rules.engine.PlacementExplanation;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Replays a candidate pack on recorded decisions: every decision's recorded facts are evaluated
 * with the candidate, and each placement's new content is compared with what was shown. The
 * input is the NDJSON of the feedback service's {@code GET /v1/replay-log} (one recorded decision
 * per line: {@code facts}, and per placement the logged {@code rule}, {@code contentId},
 * {@code shown}, {@code engaged} and the logged {@code propensity}).
 *
 * <p>The estimate of the engagement rate (CTR) change is inverse propensity scoring over the shown
 * placements: the candidate, a deterministic policy, gets credit {@code engaged / propensity} where
 * it would show what was logged and nothing where it would show something else; the change is
 * the mean of {@code credit - engaged} with a normal 95 % interval. It is unbiased only where the
 * logged policy could have shown the candidate's choice; with today's deterministic rules
 * (propensity 1) a changed placement has no support and counts as no engagement, so the estimate
 * is pessimistic for changes and {@link Report#overlap()} says how much it covers. Where the
 * candidate itself lets the bandit {@code choose(...)} among values that include the logged one, it
 * is taken to choose as the logging policy did (the same models on the same context): no change,
 * credit {@code engaged} (an importance weight of 1); replaying without the bandit's models, its
 * first value would otherwise count as a change.
 *
 * <p>Evaluation runs on {@code threads} workers; the reader hands them lines through a bounded
 * queue, so memory stays flat for any number of decisions.
 */
public final class Replay {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String END = "";

    private final CompiledRules candidate;
    private final int threads;
    private final int examples;
    private final Weights weights;

    public Replay(CompiledRules candidate, int threads, int examples) {
        this(candidate, threads, examples, null);
    }

    /**
     * A replay that also puts candidate {@code weights} in place of the recorded ones (null: keep
     * them): each decision's intent score is recomputed from its recorded recency, depth and
     * conversion probability with them, and rules see them as the {@code Weights} fact. This is how
     * a recalibration estimates, off-policy, what its candidate weights would do with the pack in use.
     */
    public Replay(CompiledRules candidate, int threads, int examples, Weights weights) {
        this.candidate = Objects.requireNonNull(candidate, "candidate");
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
        this.threads = threads;
        this.examples = examples;
        this.weights = weights;
    }

    /** One placement that changes: what was logged and what the candidate shows, with the candidate's reason. */
    public record Example(String decisionId, String placement, String loggedRule, String loggedContent, boolean loggedEngaged,
                          String candidateRule, String candidateContent, String candidateWhy) {}

    /** Per placement: recorded units and changed ones. */
    public record PlacementCount(long units, long changed) {}

    /**
     * What the replay found. {@code transitions} counts changed placements by
     * {@code "logged rule -> candidate rule"}; {@code estCtrDelta} and its interval are in
     * absolute terms (0.012 = +1.2 percentage points); {@code overlap} is the share of shown
     * placements where the candidate shows what was logged; {@code unreadable} counts lines that
     * could not be replayed (no facts, a format not known); {@code unsupported} is the share of shown
     * placements where the candidate shows something else and the logged policy had no choice
     * (propensity 1): no evidence either way, counted as no engagement, so the more of it, the more
     * the estimate is a pessimistic bound rather than an estimate.
     */
    public record Report(long replayed, long changed, long unreadable, Map<String, PlacementCount> placements,
                         Map<String, Long> transitions, List<Example> examples, long shown, double loggedCtr,
                         double estCtrDelta, double ciLow, double ciHigh, double overlap, double unsupported) {
        /** The machine-readable last line. */
        public String resultLine() {
            return String.format(java.util.Locale.ROOT, "RESULT replayed=%d changed=%d est_ctr_delta=%+.2f%% ci=[%+.2f%%,%+.2f%%]",
                    replayed, changed, estCtrDelta * 100, ciLow * 100, ciHigh * 100);
        }
    }

    private DecisionInput reweigh(DecisionInput in) {
        Signals s = in.signals().toBuilder().intentScore(weights.score(in.signals().getRecency(), in.signals().getDepth(),
                in.signals().getConversionProbability())).build(weights);
        return new DecisionInput(in.context(), s, in.profile(), in.segments(), weights, in.placements(), in.exposures(), in.base());
    }

    /** Accumulates one worker's share; merged at the end. */
    private final class Tally {
        long replayed, changed, unreadable, shown, engaged;
        double sumD, sumD2;
        long agreeShown, unsupported;
        final Map<String, long[]> placements = new TreeMap<>();
        final Map<String, Long> transitions = new TreeMap<>();
        final List<Example> examples = new ArrayList<>();

        void add(String line) {
            JsonNode n;
            FactsCodec.Facts facts;
            try {
                n = JSON.readTree(line);
                facts = FactsCodec.read(n.get("facts"));
            } catch (IOException | RuntimeException e) {
                unreadable++;
                return;
            }
            Evaluation e;
            try {
                e = candidate.evaluate(weights == null ? facts.input() : reweigh(facts.input()), facts.variants(), false);
            } catch (RuntimeException ex) {
                unreadable++;
                return;
            }
            replayed++;
            boolean anyChange = false;
            for (JsonNode p : n.path("placements")) {
                String placement = p.path("placement").asText();
                Adaptation now = e.adaptation(placement);
                if (now == null) continue;
                String loggedContent = p.path("contentId").isNull() ? null : p.path("contentId").asText(null);
                // Where the candidate lets the bandit choose (choose(...)) among values that include what was logged,
                // it would choose as the logging policy did (same models, same context): not a change, importance weight 1.
                boolean chooses = !now.getChoices().isEmpty() && (Objects.equals(loggedContent, now.getContentId())
                        || now.getChoices().stream().anyMatch(ch -> ch.arms().contains(loggedContent)));
                boolean same = chooses || Objects.equals(loggedContent, now.getContentId());
                long[] c = placements.computeIfAbsent(placement, k -> new long[2]);
                c[0]++;
                if (!same) {
                    c[1]++;
                    anyChange = true;
                    String from = p.path("rule").isNull() ? "(none)" : p.path("rule").asText("(none)");
                    String to = now.getRule() == null ? "(none)" : now.getRule();
                    transitions.merge(from + " -> " + to, 1L, Long::sum);
                    if (examples.size() < Replay.this.examples) {
                        PlacementExplanation why = e.explanations().get(placement);
                        examples.add(new Example(n.path("decisionId").asText(), placement, from, loggedContent, p.path("engaged").asBoolean(),
                                to, now.getContentId(), why == null ? null : why.why()));
                    }
                }
                if (p.path("shown").asBoolean()) {
                    shown++;
                    double r = p.path("engaged").asBoolean() ? 1 : 0;
                    double propensity = p.path("propensity").asDouble(1.0);
                    if (!(propensity > 0 && propensity <= 1)) propensity = 1.0;
                    double credit = chooses ? r : same ? r / propensity : 0;
                    if (same) agreeShown++;
                    else if (propensity >= 1) unsupported++;
                    engaged += (long) r;
                    double d = credit - r;
                    sumD += d;
                    sumD2 += d * d;
                }
            }
            if (anyChange) changed++;
        }

        void merge(Tally o) {
            replayed += o.replayed; changed += o.changed; unreadable += o.unreadable; shown += o.shown; engaged += o.engaged;
            sumD += o.sumD; sumD2 += o.sumD2; agreeShown += o.agreeShown; unsupported += o.unsupported;
            o.placements.forEach((k, v) -> {
                long[] c = placements.computeIfAbsent(k, x -> new long[2]);
                c[0] += v[0];
                c[1] += v[1];
            });
            o.transitions.forEach((k, v) -> transitions.merge(k, v, Long::sum));
            for (Example x : o.examples) if (examples.size() < Replay.this.examples) examples.add(x);
        }
    }

    /**
     * Replays every line of {@code lines} (NDJSON); {@code progress} is called about every
     * 10,000 lines with the count read so far (on the reading thread).
     */
    public Report run(BufferedReader lines, LongConsumer progress) throws IOException, InterruptedException {
        BlockingQueue<String> queue = new ArrayBlockingQueue<>(4096);
        List<Tally> tallies = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        AtomicLong failures = new AtomicLong();
        for (int i = 0; i < threads; i++) {
            Tally t = new Tally();
            tallies.add(t);
            Thread w = new Thread(() -> {
                try {
                    for (String line = queue.take(); line != END; line = queue.take()) t.add(line);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                    throw e;
                }
            }, "kairos-replay-" + i);
            w.setDaemon(true);
            w.start();
            workers.add(w);
        }
        long read = 0;
        try {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) continue;
                while (!queue.offer(line, 1, TimeUnit.SECONDS)) {
                    if (failures.get() > 0) throw new IllegalStateException("a replay worker failed");
                }
                if (++read % 10_000 == 0) progress.accept(read);
            }
        } finally {
            for (int i = 0; i < threads; i++) queue.put(END);
            for (Thread w : workers) w.join();
        }
        progress.accept(read);
        Tally all = new Tally();
        for (Tally t : tallies) all.merge(t);
        Map<String, PlacementCount> placements = new TreeMap<>();
        all.placements.forEach((k, v) -> placements.put(k, new PlacementCount(v[0], v[1])));
        double n = all.shown;
        double mean = n == 0 ? 0 : all.sumD / n;
        double variance = n < 2 ? 0 : Math.max(0, (all.sumD2 - n * mean * mean) / (n - 1));
        double half = n == 0 ? 0 : 1.96 * Math.sqrt(variance / n);
        return new Report(all.replayed, all.changed, all.unreadable, placements, all.transitions, all.examples, all.shown,
                n == 0 ? 0 : all.engaged / n, mean, mean - half, mean + half, n == 0 ? 1 : all.agreeShown / n, n == 0 ? 0 : all.unsupported / n);
    }
}
