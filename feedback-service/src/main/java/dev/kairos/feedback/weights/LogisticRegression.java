package dev.kairos.feedback.weights;

import java.util.Arrays;
import java.util.BitSet;

/**
 * L2-regularized logistic regression fitted by Newton's method: minimizes
 * {@code (1/n)·Σ logloss(y, σ(b0 + b·x)) + (λ/2)·|b|²} (the intercept {@code b0} is not penalized).
 * Small and exact for a handful of features; each iteration is one pass over the data.
 *
 * <pre>double[] beta = LogisticRegression.fit(x, y, 0.01);   // beta[0] intercept, beta[1..] per feature</pre>
 */
public final class LogisticRegression {
    private static final int MAX_ITERATIONS = 50;

    private LogisticRegression() {}

    /**
     * @param x      n rows of k features
     * @param y      n labels
     * @param lambda L2 penalty, &gt;= 0
     * @return k + 1 coefficients, intercept first
     */
    public static double[] fit(double[][] x, boolean[] y, double lambda) {
        int n = x.length;
        if (n == 0 || y.length != n) throw new IllegalArgumentException("need as many labels as rows, and at least one row");
        float[][] columns = new float[x[0].length][n];
        BitSet labels = new BitSet(n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < columns.length; j++) columns[j][i] = (float) x[i][j];
            labels.set(i, y[i]);
        }
        return fit(columns, labels, n, lambda);
    }

    /**
     * The same fit over features stored column-wise (what recalibration keeps for millions of rows).
     *
     * @param columns k feature columns, each at least {@code n} long
     * @param y       labels of rows 0..n-1
     * @param n       rows to use
     * @return k + 1 coefficients, intercept first
     */
    public static double[] fit(float[][] columns, BitSet y, int n, double lambda) {
        return fit(columns, y, n, lambda, null);
    }

    /**
     * The same fit with a weight per row ({@code null}: all 1): minimizes
     * {@code Σ w·logloss / Σ w + (λ/2)·|b|²}, so inverse-propensity weights learn as if every row had
     * been logged uniformly.
     */
    public static double[] fit(float[][] columns, BitSet y, int n, double lambda, float[] weights) {
        if (n <= 0) throw new IllegalArgumentException("need at least one row");
        double total = 0;
        for (int i = 0; i < n; i++) total += weights == null ? 1 : weights[i];
        if (!(total > 0)) throw new IllegalArgumentException("the weights must add up to more than 0");
        int k = columns.length + 1;
        double[] beta = new double[k];
        double[] row = new double[k];
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            double[] g = new double[k];
            double[][] h = new double[k][k];
            for (int i = 0; i < n; i++) {
                row[0] = 1;
                for (int j = 1; j < k; j++) row[j] = columns[j - 1][i];
                double z = 0;
                for (int j = 0; j < k; j++) z += beta[j] * row[j];
                double p = 1 / (1 + Math.exp(-z));
                double rw = weights == null ? 1 : weights[i];
                double err = rw * (p - (y.get(i) ? 1 : 0));
                double w = rw * Math.max(p * (1 - p), 1e-12);
                for (int a = 0; a < k; a++) {
                    g[a] += err * row[a];
                    for (int b = a; b < k; b++) h[a][b] += w * row[a] * row[b];
                }
            }
            for (int a = 0; a < k; a++) {
                g[a] /= total;
                for (int b = a; b < k; b++) {
                    h[a][b] /= total;
                    h[b][a] = h[a][b];
                }
                if (a > 0) {
                    g[a] += lambda * beta[a];
                    h[a][a] += lambda;
                }
            }
            // A tiny ridge keeps the system solvable when a feature is constant.
            for (int a = 0; a < k; a++) h[a][a] += 1e-9;
            double[] step = solve(h, g);
            double size = 0;
            for (int j = 0; j < k; j++) {
                beta[j] -= step[j];
                size = Math.max(size, Math.abs(step[j]));
            }
            if (size < 1e-9) break;
        }
        return beta;
    }

    /** Solves {@code a·x = b} by Gaussian elimination with partial pivoting (a and b are consumed). */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
            double[] t = a[col]; a[col] = a[pivot]; a[pivot] = t;
            double tb = b[col]; b[col] = b[pivot]; b[pivot] = tb;
            for (int r = col + 1; r < n; r++) {
                double f = a[r][col] / a[col][col];
                b[r] -= f * b[col];
                for (int c = col; c < n; c++) a[r][c] -= f * a[col][c];
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = b[r];
            for (int c = r + 1; c < n; c++) s -= a[r][c] * x[c];
            x[r] = s / a[r][r];
        }
        return x;
    }

    /**
     * The area under the ROC curve of {@code scores} for {@code labels} (ties count one half), or
     * {@code NaN} without both positive and negative labels.
     */
    public static double auc(double[] scores, boolean[] labels) {
        BitSet b = new BitSet(labels.length);
        for (int i = 0; i < labels.length; i++) b.set(i, labels[i]);
        return auc(scores, b, scores.length);
    }

    /**
     * The same over the first {@code n} scores: the share of (positive, negative) pairs the scores
     * order correctly, ties counting one half, from the two sorted score lists (O(n log n), primitive
     * arrays only).
     */
    public static double auc(double[] scores, BitSet labels, int n) {
        return auc(scores, labels, n, null);
    }

    /**
     * The weighted AUC ({@code weights} null: all 1): each (positive, negative) pair counts the
     * product of their weights, so an inverse-propensity-weighted slice is judged as if logged
     * uniformly.
     */
    public static double auc(double[] scores, BitSet labels, int n, float[] weights) {
        if (weights != null) return weightedAuc(scores, labels, n, weights);
        int positives = labels.get(0, n).cardinality();
        int negatives = n - positives;
        if (positives == 0 || negatives == 0) return Double.NaN;
        double[] pos = new double[positives], neg = new double[negatives];
        for (int i = 0, p = 0, q = 0; i < n; i++) {
            if (labels.get(i)) pos[p++] = scores[i];
            else neg[q++] = scores[i];
        }
        Arrays.sort(pos);
        Arrays.sort(neg);
        double correct = 0;
        int below = 0, upTo = 0;   // negatives < the positive's score; negatives <= it
        for (double s : pos) {
            while (below < negatives && neg[below] < s) below++;
            if (upTo < below) upTo = below;
            while (upTo < negatives && neg[upTo] <= s) upTo++;
            correct += below + (upTo - below) / 2.0;
        }
        return correct / ((double) positives * negatives);
    }

    private static double weightedAuc(double[] scores, BitSet labels, int n, float[] weights) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double negBelow = 0, totalPos = 0, totalNeg = 0, correct = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            double pos = 0, neg = 0;
            while (j < n && scores[order[j]] == scores[order[i]]) {
                double w = weights[order[j]];
                if (labels.get(order[j])) pos += w;
                else neg += w;
                j++;
            }
            correct += pos * (negBelow + neg / 2);   // ties count one half
            negBelow += neg;
            totalPos += pos;
            totalNeg += neg;
            i = j;
        }
        return totalPos > 0 && totalNeg > 0 ? correct / (totalPos * totalNeg) : Double.NaN;
    }
}
