package dev.kairos.rules.engine;

import dev.kairos.rules.Context;
import dev.kairos.rules.Placement;
import dev.kairos.rules.Segment;
import dev.kairos.rules.Signals;
import dev.kairos.rules.Weights;

import java.util.List;
import java.util.Objects;

/**
 * The facts of one evaluation: the context, the user's signals and segments, the current weights
 * and the placements to decide (distinct names, in the order they were asked for).
 */
public record DecisionInput(Context context, Signals signals, List<Segment> segments, Weights weights,
                            List<Placement> placements) {
    public DecisionInput {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(signals, "signals");
        Objects.requireNonNull(weights, "weights");
        segments = List.copyOf(segments);
        placements = List.copyOf(placements);
        if (placements.isEmpty()) throw new IllegalArgumentException("placements must not be empty");
    }
}
