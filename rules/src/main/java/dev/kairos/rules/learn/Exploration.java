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

    /** No models, no exploration: every choice takes its first value. */
    Exploration NONE = new Exploration() {
        @Override public Bandit.Model model(String point) { return null; }
        @Override public double epsilon(String placement) { return 0; }
    };
}
