package dev.kairos.rules.learn;

import dev.kairos.rules.Context;
import dev.kairos.rules.Signals;
import dev.kairos.rules.engine.DecisionInput;

import java.util.List;

/**
 * The small feature vector the contextual bandit sees of one decision: a bias, the four fused
 * predictive signals, whether the device is mobile, the local hour (as a point on a circle, so 23:00
 * is near 00:00) and whether it is the weekend. Same order as {@link #NAMES}.
 */
public final class Features {
    /** The features' names, in order. */
    public static final List<String> NAMES = List.of("bias", "intentScore", "depth", "recency", "conversionProbability", "mobile",
            "hourSin", "hourCos", "weekend");

    private Features() {}

    /** The features of {@code input}. */
    public static double[] of(DecisionInput input) {
        Signals s = input.signals();
        Context c = input.context();
        int hour = c.getTime() == null ? 12 : c.getTime().getHour();
        boolean weekend = c.getTime() != null && c.getTime().isWeekend();
        boolean mobile = c.getDevice() != null && "mobile".equals(c.getDevice().getType());
        double angle = 2 * Math.PI * hour / 24.0;
        return new double[] {1, finite(s.getIntentScore()), finite(s.getDepth()), finite(s.getRecency()), finite(s.getConversionProbability()),
                mobile ? 1 : 0, Math.sin(angle), Math.cos(angle), weekend ? 1 : 0};
    }

    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0;
    }
}
