package dev.kairos.rules.learn;

/**
 * What the engine needs to answer a rule's {@code choose(...)}: the current model of each choice
 * point and how much exploration each placement allows. rules-server supplies the models learned
 * from outcomes; without one ({@link #NONE}) every choice takes its first value, deterministically.
 */
public interface Exploration {
    /** The model of choice point {@code point} (rule name and ordinal, e.g. {@code "Evening offer#1"}), or null. */
    Bandit.Model model(String point);

    /** The share of decisions on {@code placement} that may explore (0 to 1). */
    double epsilon(String placement);

    /** The models of the choice points, by the placement their choices were shown on (for {@code NextBestAction}); none by default. */
    default java.util.Map<String, java.util.List<Bandit.Model>> modelsByPlacement() {
        return java.util.Map.of();
    }

    /**
     * The next best action on each placement that has a learned choice (requested in this decision
     * or not): the value with the highest predicted reward for {@code input}'s features, over the
     * models on it.
     */
    default java.util.List<dev.kairos.rules.NextBestAction> nextBest(dev.kairos.rules.engine.DecisionInput input) {
        java.util.Map<String, java.util.List<Bandit.Model>> byPlacement = modelsByPlacement();
        if (byPlacement.isEmpty()) return java.util.List.of();
        java.util.List<dev.kairos.rules.NextBestAction> out = new java.util.ArrayList<>();
        double[] x = Features.of(input);
        for (var e : new java.util.TreeMap<>(byPlacement).entrySet()) {
            dev.kairos.rules.NextBestAction best = null;
            for (Bandit.Model m : e.getValue()) {
                for (int a = 0; a < m.arms().size(); a++) {
                    if (m.coefficients().get(a) == null) continue;
                    double r = m.predict(a, x);
                    if (best == null || r > best.getExpectedReward()) {
                        best = new dev.kairos.rules.NextBestAction(e.getKey(), m.arms().get(a), r, m.point(), m.version());
                    }
                }
            }
            if (best != null) out.add(best);
        }
        return out;
    }

    /** No models, no exploration: every choice takes its first value. */
    Exploration NONE = new Exploration() {
        @Override public Bandit.Model model(String point) { return null; }
        @Override public double epsilon(String placement) { return 0; }
    };
}
