package dev.kairos.feedback.kpi;

import dev.kairos.feedback.store.FeedbackStore;
import dev.kairos.feedback.store.IntentBin;

import java.util.List;

/**
 * How well the intent score at decision time predicted engagement (a click or conversion) with the
 * content shown: the AUC (the chance that an engaged placement had a higher score than a
 * non-engaged one; 0.5 is no better than chance), and precision and recall of "high intent"
 * ({@code score >= threshold}). Scores are binned by {@link FeedbackStore#INTENT_BINS} (width 0.05),
 * so the AUC counts two scores in one bin as a tie and the threshold is rounded to that grid.
 *
 * @param auc        {@code null} without both engaged and non-engaged placements
 * @param positives  shown placements engaged with
 * @param negatives  shown placements not engaged with
 * @param threshold  the high-intent threshold used
 * @param precision  engaged share of high-intent placements
 * @param recall     high-intent share of engaged placements
 */
public record IntentAccuracy(Double auc, long positives, long negatives, double threshold, Rate precision, Rate recall) {

    /** Computes the figures from one group's bins. */
    public static IntentAccuracy of(List<IntentBin> bins, double threshold) {
        int n = FeedbackStore.INTENT_BINS;
        long[] pos = new long[n];
        long[] neg = new long[n];
        for (IntentBin b : bins) {
            pos[b.bin()] += b.engaged();
            neg[b.bin()] += b.shown() - b.engaged();
        }
        long p = 0, q = 0;
        double wins = 0;
        for (int i = 0; i < n; i++) {
            wins += pos[i] * (q + 0.5 * neg[i]);
            p += pos[i];
            q += neg[i];
        }
        Double auc = p > 0 && q > 0 ? wins / ((double) p * q) : null;
        int from = (int) Math.round(threshold * n);
        long highShown = 0, highEngaged = 0;
        for (int i = Math.max(0, from); i < n; i++) {
            highShown += pos[i] + neg[i];
            highEngaged += pos[i];
        }
        return new IntentAccuracy(auc, p, q, threshold, Rate.of(highEngaged, highShown), Rate.of(highEngaged, p));
    }
}
