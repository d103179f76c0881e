package dev.kairos.rules.engine;

import dev.kairos.rules.Adaptation;

import java.util.List;
import java.util.Map;

/**
 * The result of evaluating one {@link DecisionInput}: one adaptation per requested placement (in
 * request order), an explanation per placement, the rules that fired (in firing order), and
 * whether evaluation stopped at the firing limit, and the segments the user was in (sent with the
 * request or placed there by segment rules), sorted.
 */
public record Evaluation(String rulesVersion, List<Adaptation> adaptations, Map<String, PlacementExplanation> explanations,
                         List<String> firedRules, boolean truncated, List<String> segments) {

    /** The adaptation for {@code placement}, or {@code null} when it was not requested. */
    public Adaptation adaptation(String placement) {
        for (Adaptation a : adaptations) {
            if (a.getPlacement().equals(placement)) return a;
        }
        return null;
    }
}
