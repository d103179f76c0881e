package dev.kairos.feedback.kpi;

/**
 * A proportion {@code successes / n} with its 95 % Wilson score interval ({@code low}..{@code high}).
 * With {@code n == 0} the value and interval are {@code null}: there is nothing to estimate.
 *
 * <pre>Rate ctr = Rate.of(12, 400);   // value 0.03, low 0.0173, high 0.0518</pre>
 */
public record Rate(Double value, Double low, Double high, long successes, long n) {
    /** z for a two-sided 95 % interval. */
    static final double Z = 1.959963984540054;

    public static Rate of(long successes, long n) {
        if (n <= 0) return new Rate(null, null, null, successes, 0);
        long s = Math.min(Math.max(successes, 0), n);
        double p = (double) s / n;
        double z2 = Z * Z;
        double denominator = 1 + z2 / n;
        double center = (p + z2 / (2.0 * n)) / denominator;
        double half = Z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denominator;
        return new Rate(p, Math.max(0, center - half), Math.min(1, center + half), s, n);
    }
}
