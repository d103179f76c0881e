package dev.kairos.server.decide;

import dev.kairos.rules.Weights;
import jakarta.inject.Singleton;

/**
 * The weights version decisions use now. Starts with {@link Weights#DEFAULT}; the
 * {@link WeightsFeed} replaces it with the last version published on the weights topic before the
 * server serves, and with each version published later.
 */
@Singleton
public class CurrentWeights {
    private volatile Weights weights = Weights.DEFAULT;

    public Weights get() { return weights; }

    public void publish(Weights next) { this.weights = java.util.Objects.requireNonNull(next, "weights"); }
}
