package dev.kairos.rules.learn;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A contextual bandit for one choice point (a rule's {@code choose(...)}): per arm, a ridge
 * regression of the reward on the decision's {@link Features}; a decision takes the arm with the
 * highest predicted reward, except with probability {@code epsilon} (bounded per placement), when
 * it takes an arm uniformly at random. So every arm keeps being tried, and the probability with
 * which the chosen arm was chosen (its <b>propensity</b>) is known exactly:
 * {@code (1 − ε) + ε/K} for the predicted best arm, {@code ε/K} for each other one. The logged
 * propensities make the logs usable for unbiased off-policy estimates (inverse propensity
 * scoring), which a deterministic policy's logs are not.
 *
 * <p>Why ε-greedy over a linear model and not Thompson sampling: its propensities are exact and
 * cost nothing to compute at decide time, and the exploration share is exactly the configured
 * bound. The regression uses Apache Commons Math (Cholesky) rather than hand-written numerics.
 * Immutable models; thread-safe.
 */
public final class Bandit {
    private Bandit() {}

    /**
     * The fitted model of one choice point: its arms and, per arm, the ridge coefficients over
     * {@link Features} (null for an arm without data: predicted 0) and how many samples it was fit on.
     */
    public record Model(String point, String version, List<String> arms, List<double[]> coefficients, List<Long> samples) {
        public Model {
            arms = List.copyOf(arms);
            coefficients = new ArrayList<>(coefficients);
            samples = List.copyOf(samples);
            if (coefficients.size() != arms.size() || samples.size() != arms.size()) throw new IllegalArgumentException("one coefficient vector and count per arm");
        }

        /** The predicted reward of arm {@code a} for features {@code x}. */
        public double predict(int a, double[] x) {
            double[] t = coefficients.get(a);
            if (t == null) return 0;
            double s = 0;
            for (int i = 0; i < Math.min(t.length, x.length); i++) s += t[i] * x[i];
            return s;
        }
    }

    /** One decision's choice among {@code arms}: which one, with which probability, whether it was an exploration, under which model version. */
    public record Choice(String point, List<String> arms, int arm, String value, double propensity, boolean explored, String modelVersion) {}

    /**
     * Chooses among {@code arms} for features {@code x}: the model's best arm (the first arm when
     * there is no model for exactly these arms), or with probability {@code epsilon} a uniformly
     * random one. {@code u1} and {@code u2} are uniform random numbers in [0, 1).
     */
    public static Choice choose(String point, Model model, List<String> arms, double[] x, double epsilon, double u1, double u2) {
        int k = arms.size();
        if (k == 0) throw new IllegalArgumentException("choose needs at least one value");
        double eps = k == 1 ? 0 : Math.max(0, Math.min(1, epsilon));
        boolean usable = model != null && model.arms().equals(arms);
        int best = usable ? best(model, x) : 0;
        boolean explored = u1 < eps;
        int arm = explored ? Math.min(k - 1, (int) (u2 * k)) : best;
        double p = (arm == best ? 1 - eps : 0) + eps / k;
        return new Choice(point, arms, arm, arms.get(arm), p, explored, usable ? model.version() : "none");
    }

    /** Every arm's probability of being chosen for {@code x} (they sum to 1). */
    public static double[] propensities(Model model, List<String> arms, double[] x, double epsilon) {
        int k = arms.size();
        double eps = k == 1 ? 0 : Math.max(0, Math.min(1, epsilon));
        int best = model != null && model.arms().equals(arms) ? best(model, x) : 0;
        double[] p = new double[k];
        for (int a = 0; a < k; a++) p[a] = (a == best ? 1 - eps : 0) + eps / k;
        return p;
    }

    private static int best(Model model, double[] x) {
        int best = 0;
        double top = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < model.arms().size(); a++) {
            double v = model.predict(a, x);
            if (v > top) {
                top = v;
                best = a;
            }
        }
        return best;
    }

    /** One logged choice and what it earned: features, arm, reward (1 clicked, 0 not), and its propensity. */
    public record Sample(double[] features, int arm, double reward, double propensity) {
        public Sample {
            Objects.requireNonNull(features, "features");
        }
    }

    /**
     * Fits a model from logged samples: per arm a ridge regression ({@code lambda} on the diagonal)
     * of the reward on the features of the decisions that chose it. Each arm's regression only sees
     * its own samples, so the logging policy's preference for an arm does not bias the arm's own
     * reward model (given the features); arms without samples predict 0.
     */
    public static Model fit(String point, String version, List<String> arms, List<Sample> samples, double lambda) {
        int d = 0;
        for (Sample s : samples) d = Math.max(d, s.features().length);
        List<double[]> coefficients = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (int a = 0; a < arms.size(); a++) {
            double[][] xtx = new double[d][d];
            double[] xty = new double[d];
            long n = 0;
            for (Sample s : samples) {
                if (s.arm() != a) continue;
                double[] x = s.features();
                for (int i = 0; i < x.length; i++) {
                    xty[i] += x[i] * s.reward();
                    for (int j = 0; j < x.length; j++) xtx[i][j] += x[i] * x[j];
                }
                n++;
            }
            counts.add(n);
            if (n == 0 || d == 0) {
                coefficients.add(null);
                continue;
            }
            for (int i = 0; i < d; i++) xtx[i][i] += lambda;
            RealMatrix m = new Array2DRowRealMatrix(xtx, false);
            RealVector theta = new CholeskyDecomposition(m).getSolver().solve(new ArrayRealVector(xty, false));
            coefficients.add(theta.toArray());
        }
        return new Model(point, version, arms, coefficients, counts);
    }
}
