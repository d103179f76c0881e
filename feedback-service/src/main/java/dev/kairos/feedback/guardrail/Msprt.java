package dev.kairos.feedback.guardrail;

/**
 * A mixture sequential probability ratio test (mSPRT) for the difference of two proportions, as in
 * Johari, Pekelis and Walsh, "Always valid inference" (2017): with a normal mixture of variance
 * {@code tau²} over the difference, the likelihood ratio against "no difference" is
 * <pre>Λ = sqrt(V / (V + τ²)) · exp(τ² θ̂² / (2 V (V + τ²)))</pre>
 * where θ̂ is the observed difference and V its variance. Rejecting when Λ ≥ 1/α keeps the false
 * alarm rate under α however often the data is looked at, unlike a z-test peeked at every minute;
 * the matching always-valid confidence interval is
 * <pre>θ̂ ± sqrt(V (V + τ²) / τ² · (2 ln(1/α) + ln((V + τ²) / V)))</pre>
 * which excludes 0 exactly when Λ ≥ 1/α.
 */
public final class Msprt {
    private Msprt() {}

    /** The test of {@code treatment - control}: the observed difference, its always-valid interval, Λ and whether it rejects. */
    public record Result(double difference, double low, double high, double likelihoodRatio, boolean significant) {}

    /**
     * Tests {@code xT/nT - xC/nC} (successes over trials in treatment and control) at level
     * {@code alpha} with mixing standard deviation {@code tau}.
     */
    public static Result test(long nC, long xC, long nT, long xT, double tau, double alpha) {
        if (nC <= 0 || nT <= 0) return new Result(0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 1, false);
        double pC = (double) xC / nC;
        double pT = (double) xT / nT;
        double theta = pT - pC;
        // a floor on the variance: with 0 or all successes on both sides the plug-in variance is 0
        double v = Math.max(pC * (1 - pC) / nC + pT * (1 - pT) / nT, 0.25 / (nC + nT) / 100);
        double t2 = tau * tau;
        double logLambda = 0.5 * Math.log(v / (v + t2)) + t2 * theta * theta / (2 * v * (v + t2));
        double half = Math.sqrt(v * (v + t2) / t2 * (2 * Math.log(1 / alpha) + Math.log((v + t2) / v)));
        return new Result(theta, theta - half, theta + half, Math.exp(Math.min(logLambda, 700)), logLambda >= Math.log(1 / alpha));
    }
}
