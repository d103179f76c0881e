package dev.kairos.feedback.experiment;

/**
 * The two-sided two-proportion z-test (pooled variance): is {@code x1/n1} different from
 * {@code x0/n0}? Returns {@code z} and the p-value; both {@code NaN} when a sample is empty or the
 * pooled rate is 0 or 1 (no variance, nothing to test).
 *
 * <pre>TwoProportionTest.Result r = TwoProportionTest.of(100, 1000, 130, 1000);   // z ≈ 2.10, p ≈ 0.035</pre>
 */
public final class TwoProportionTest {
    private TwoProportionTest() {}

    /** z of variant against control, and its two-sided p-value. */
    public record Result(double z, double p) {}

    public static Result of(long x0, long n0, long x1, long n1) {
        if (n0 <= 0 || n1 <= 0) return new Result(Double.NaN, Double.NaN);
        double p0 = (double) x0 / n0, p1 = (double) x1 / n1;
        double pooled = (double) (x0 + x1) / (n0 + n1);
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / n0 + 1.0 / n1));
        if (!(se > 0)) return new Result(Double.NaN, Double.NaN);
        double z = (p1 - p0) / se;
        return new Result(z, 2 * (1 - normalCdf(Math.abs(z))));
    }

    /** The standard normal CDF (Abramowitz and Stegun 7.1.26 for erf; absolute error below 1.5e-7). */
    static double normalCdf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x) / Math.sqrt(2));
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double erf = 1 - poly * Math.exp(-x * x / 2);
        return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
    }
}
