package dev.kairos.rules.engine;

import dev.kairos.rules.Adaptation;

import java.util.List;

/**
 * Why a placement got its adaptation: every rule that adapted it (best first), the reason the
 * winner beat the runner-up, and the layer that answered ({@code tier2}: a rule; {@code tier1}: a
 * base item filled a placement no rule adapted; {@code fallback}: the pack default or nothing).
 * Ranking: a rule's answer beats a base item, which beats a pack default; among rules, higher
 * {@code priority}; then higher {@code salience}; then rule name in alphabetical order.
 */
public record PlacementExplanation(String placement, String winner, String why, List<Candidate> candidates, String layer) {
    public PlacementExplanation {
        candidates = List.copyOf(candidates);
        if (layer == null) layer = winner == null ? Adaptation.FALLBACK : Adaptation.TIER2;
    }

    /** An explanation whose layer follows from the winner: none is {@code fallback}, a rule {@code tier2}. */
    public PlacementExplanation(String placement, String winner, String why, List<Candidate> candidates) {
        this(placement, winner, why, candidates, null);
    }
}
