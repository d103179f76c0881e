package dev.kairos.rules.engine;

import dev.kairos.rules.Adaptation;
import dev.kairos.rules.Placement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of evaluating one {@link DecisionInput}: one adaptation per requested placement (in
 * request order), an explanation per placement, the rules that fired (in firing order), and
 * whether evaluation stopped at the firing limit, and the segments the user was in (sent with the
 * request or placed there by segment rules), sorted. {@code fallback} is null when the rules
 * answered; otherwise it says why every placement got the built-in empty answer instead
 * ({@code "deadline"}, {@code "error"}, {@code "overloaded"}). {@code triggers} are the actions for
 * other channels the rules emitted ({@code trigger(...)}), once per channel and name; none for a
 * holdout user or a fallback answer.
 */
public record Evaluation(String rulesVersion, List<Adaptation> adaptations, Map<String, PlacementExplanation> explanations,
                         List<String> firedRules, boolean truncated, List<String> segments, String fallback, List<Trigger> triggers) {

    public Evaluation {
        triggers = triggers == null ? List.of() : List.copyOf(triggers);
    }

    public Evaluation(String rulesVersion, List<Adaptation> adaptations, Map<String, PlacementExplanation> explanations,
                      List<String> firedRules, boolean truncated, List<String> segments) {
        this(rulesVersion, adaptations, explanations, firedRules, truncated, segments, null, List.of());
    }

    public Evaluation(String rulesVersion, List<Adaptation> adaptations, Map<String, PlacementExplanation> explanations,
                      List<String> firedRules, boolean truncated, List<String> segments, String fallback) {
        this(rulesVersion, adaptations, explanations, firedRules, truncated, segments, fallback, List.of());
    }

    /**
     * The answer when the rules of {@code rulesVersion} could not answer: the built-in empty
     * answer for every placement, explained by {@code reason} ({@code "deadline"}, ...) and {@code why}.
     */
    public static Evaluation fallback(String rulesVersion, List<Placement> placements, List<String> segments, String reason, String why) {
        List<Adaptation> adaptations = new ArrayList<>(placements.size());
        Map<String, PlacementExplanation> explanations = new LinkedHashMap<>();
        for (Placement p : placements) {
            Adaptation a = new Adaptation(p.getName(), null, null, "none", null, Integer.MIN_VALUE, null, why, true, false, Map.of());
            adaptations.add(a);
            explanations.put(p.getName(), new PlacementExplanation(p.getName(), null, why, List.of()));
        }
        return new Evaluation(rulesVersion, adaptations, explanations, List.of(), false, segments, reason);
    }

    /** The adaptation for {@code placement}, or {@code null} when it was not requested. */
    public Adaptation adaptation(String placement) {
        for (Adaptation a : adaptations) {
            if (a.getPlacement().equals(placement)) return a;
        }
        return null;
    }
}
