package dev.kairos.rules.engine;

import java.util.List;

/**
 * Why a placement got its adaptation: every rule that adapted it (best first) and the reason the
 * winner beat the runner-up. Ranking: a rule's answer beats a pack default; then higher
 * {@code priority}; then higher {@code salience}; then rule name in alphabetical order.
 */
public record PlacementExplanation(String placement, String winner, String why, List<Candidate> candidates) {
    public PlacementExplanation {
        candidates = List.copyOf(candidates);
    }
}
