package dev.kairos.rules.engine;

import dev.kairos.rules.Context;
import dev.kairos.rules.Exposures;
import dev.kairos.rules.Placement;
import dev.kairos.rules.Profile;
import dev.kairos.rules.Segment;
import dev.kairos.rules.Signals;
import dev.kairos.rules.Weights;

import java.util.List;
import java.util.Objects;

/**
 * The facts of one evaluation: the context, the user's signals, stored profile and segments, the
 * current weights, the placements to decide (distinct names, in the order they were asked for) and
 * what the user was recently shown ({@link Exposures}), and the Tier-1 base items of those
 * placements ({@link dev.kairos.rules.BaseItem}, see {@link BaseLayer}).
 */
public record DecisionInput(Context context, Signals signals, Profile profile, List<Segment> segments, Weights weights,
                            List<Placement> placements, Exposures exposures, List<dev.kairos.rules.BaseItem> base) {
    /** Facts without Tier-1 base items. */
    public DecisionInput(Context context, Signals signals, Profile profile, List<Segment> segments, Weights weights,
                         List<Placement> placements, Exposures exposures) {
        this(context, signals, profile, segments, weights, placements, exposures, List.of());
    }

    /** Facts for a user without stored history. */
    public DecisionInput(Context context, Signals signals, List<Segment> segments, Weights weights, List<Placement> placements) {
        this(context, signals, Profile.NONE.at(context.getTime().getInstant()), segments, weights, placements);
    }

    /** Facts for a user with nothing recently shown. */
    public DecisionInput(Context context, Signals signals, Profile profile, List<Segment> segments, Weights weights, List<Placement> placements) {
        this(context, signals, profile, segments, weights, placements, Exposures.NONE.at(context.getTime().getInstant()));
    }

    public DecisionInput {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(signals, "signals");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(exposures, "exposures");
        segments = List.copyOf(segments);
        base = base == null ? List.of() : List.copyOf(base);
        placements = List.copyOf(placements);
        if (placements.isEmpty()) throw new IllegalArgumentException("placements must not be empty");
    }

    /** The same facts with the Tier-1 {@code base} items of the requested placements. */
    public DecisionInput withBase(List<dev.kairos.rules.BaseItem> base) {
        return new DecisionInput(context, signals, profile, segments, weights, placements, exposures, base);
    }
}
