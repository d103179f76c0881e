package dev.kairos.feedback.weights;

import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * The samples of one recalibration, split by a hash of the decision id into the fitted part and the
 * held-out part, kept column-wise in primitive arrays (17 bytes a sample: 10M samples take about
 * 170 MB). Each sample weighs {@code 1 / propensity} (capped at {@link #MAX_WEIGHT}): content a
 * rule explored with {@code choose(...)} at probability 0.05 stands for the 20 times it was not
 * shown, so the fit learns from exploration without the logging policy's bias (inverse propensity
 * weighting). When more samples arrive than a part may keep, it keeps a uniform random sample of
 * them (reservoir sampling, seeded, so a rerun over the same data keeps the same ones).
 * Not thread-safe: filled by one reader.
 */
final class TrainingSet implements WeightsStore.SampleSink {
    /**
     * The largest weight a sample gets: rarer choices are capped here, trading a little bias for a
     * lot less variance (a propensity of 0.001 would otherwise let one click outweigh a thousand).
     */
    static final double MAX_WEIGHT = 50;

    /** One part: columns recency, depth, conversion, the sample's weight, and the engaged / converted labels. */
    static final class Part {
        private final int capacity;
        private final SplittableRandom random;
        float[] recency = new float[0], depth = new float[0], conversion = new float[0], weight = new float[0];
        final BitSet engaged = new BitSet(), converted = new BitSet();
        int size;
        long seen;
        int positives;

        Part(int capacity, long seed) {
            this.capacity = capacity;
            this.random = new SplittableRandom(seed);
        }

        void add(double r, double d, double c, boolean e, boolean conv, double w) {
            seen++;
            int slot;
            if (size < capacity) {
                if (size == recency.length) grow();
                slot = size++;
            } else {
                long j = random.nextLong(seen);
                if (j >= capacity) return;
                slot = (int) j;
                if (engaged.get(slot)) positives--;
            }
            recency[slot] = (float) r;
            depth[slot] = (float) d;
            conversion[slot] = (float) c;
            weight[slot] = (float) w;
            engaged.set(slot, e);
            converted.set(slot, conv);
            if (e) positives++;
        }

        private void grow() {
            int n = (int) Math.min(capacity, Math.max(1024, recency.length * 2L));
            recency = Arrays.copyOf(recency, n);
            depth = Arrays.copyOf(depth, n);
            conversion = Arrays.copyOf(conversion, n);
            weight = Arrays.copyOf(weight, n);
        }

        /** Whether any sample weighs other than 1 (some content was explored). */
        boolean weighted() {
            for (int i = 0; i < size; i++) if (weight[i] != 1f) return true;
            return false;
        }

        long negatives() {
            return size - positives;
        }
    }

    private final int holdoutPercent;
    final Part fit, holdout;

    TrainingSet(int maxSamples, int holdoutPercent) {
        this.holdoutPercent = holdoutPercent;
        int held = (int) ((long) maxSamples * holdoutPercent / 100);
        this.fit = new Part(maxSamples - held, 1);
        this.holdout = new Part(held, 2);
    }

    @Override
    public void accept(String decisionId, double recency, double depth, double conversion, boolean engaged, boolean converted,
                       double propensity) {
        double w = propensity > 0 && propensity <= 1 ? Math.min(MAX_WEIGHT, 1 / propensity) : 1;
        (Holdout.contains(decisionId, holdoutPercent) ? holdout : fit).add(recency, depth, conversion, engaged, converted, w);
    }

    /** Samples read, kept or not. */
    long seen() {
        return fit.seen + holdout.seen;
    }
}
