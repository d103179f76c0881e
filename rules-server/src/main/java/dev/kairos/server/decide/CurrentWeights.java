package dev.kairos.server.decide;

import dev.kairos.rules.Weights;
import jakarta.inject.Singleton;

/**
 * The weights version decisions use now. Starts with {@link Weights#DEFAULT}; recalibration
 * publishes new versions through {@link #publish(Weights)}.
 */
@Singleton
public class CurrentWeights {
    private volatile Weights weights = Weights.DEFAULT;

    public Weights get() { return weights; }

    public void publish(Weights next) { this.weights = java.util.Objects.requireNonNull(next, "weights"); }
}
