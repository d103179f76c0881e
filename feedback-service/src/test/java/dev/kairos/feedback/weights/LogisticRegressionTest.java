package dev.kairos.feedback.weights;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LogisticRegressionTest {
    @Test
    void recoversWhichFeatureDrivesTheOutcome() {
        Random random = new Random(7);
        int n = 20_000;
        double[][] x = new double[n][];
        boolean[] y = new boolean[n];
        for (int i = 0; i < n; i++) {
            x[i] = new double[] {random.nextDouble(), random.nextDouble(), random.nextDouble()};
            double p = 1 / (1 + Math.exp(-(-3 + 5 * x[i][1] + 1 * x[i][2])));
            y[i] = random.nextDouble() < p;
        }
        double[] beta = LogisticRegression.fit(x, y, 0.0);
        assertThat(beta[0]).isCloseTo(-3, within(0.3));
        assertThat(beta[1]).isCloseTo(0, within(0.3));
        assertThat(beta[2]).isCloseTo(5, within(0.4));
        assertThat(beta[3]).isCloseTo(1, within(0.3));
    }

    @Test
    void regularizationShrinksTheCoefficients() {
        double[][] x = {{0.1}, {0.2}, {0.8}, {0.9}, {0.3}, {0.7}};
        boolean[] y = {false, false, true, true, true, false};
        assertThat(Math.abs(LogisticRegression.fit(x, y, 1.0)[1])).isLessThan(Math.abs(LogisticRegression.fit(x, y, 0.0)[1]));
    }

    @Test
    void aucCountsOrderedPairsAndTiesAsHalf() {
        assertThat(LogisticRegression.auc(new double[] {0.1, 0.2, 0.8, 0.9}, new boolean[] {false, false, true, true})).isEqualTo(1.0);
        assertThat(LogisticRegression.auc(new double[] {0.9, 0.8, 0.2, 0.1}, new boolean[] {false, false, true, true})).isEqualTo(0.0);
        assertThat(LogisticRegression.auc(new double[] {0.5, 0.5}, new boolean[] {false, true})).isEqualTo(0.5);
        assertThat(LogisticRegression.auc(new double[] {0.5, 0.6}, new boolean[] {true, true})).isNaN();
    }

    /**
     * IPS on a synthetic log: two contents, "x" clicked with σ(-3 + 6·depth), "y" with 0.2. The
     * logging policy mostly shows x to deep readers (0.9) and y to shallow ones (x at 0.1). Fitted
     * on the logged rows weighed by 1 / propensity, clicks ~ depth comes out as on a log where every
     * row chose x or y by a coin (what a fresh policy may decide about); unweighted, it does not.
     */
    @Test
    void inversePropensityWeightsLearnFromABiasedLogAsFromAUniformOne() {
        int n = 200_000;
        java.util.Random random = new java.util.Random(5);
        float[] depth = new float[n], weight = new float[n], uniformDepth = new float[n];
        java.util.BitSet clicked = new java.util.BitSet(n), uniformClicked = new java.util.BitSet(n);
        for (int i = 0; i < n; i++) {
            double d = random.nextDouble();
            double px = d > 0.5 ? 0.9 : 0.1;
            boolean x = random.nextDouble() < px;
            depth[i] = (float) d;
            weight[i] = (float) (1 / (x ? px : 1 - px) * 0.5);   // the uniform policy's 0.5 over the logging policy's propensity
            clicked.set(i, random.nextDouble() < (x ? 1 / (1 + Math.exp(-(-3 + 6 * d))) : 0.2));
            double u = random.nextDouble();
            boolean ux = random.nextBoolean();
            uniformDepth[i] = (float) u;
            uniformClicked.set(i, random.nextDouble() < (ux ? 1 / (1 + Math.exp(-(-3 + 6 * u))) : 0.2));
        }
        double[] truth = LogisticRegression.fit(new float[][] {uniformDepth}, uniformClicked, n, 0.0);
        double[] weighted = LogisticRegression.fit(new float[][] {depth}, clicked, n, 0.0, weight);
        double[] naive = LogisticRegression.fit(new float[][] {depth}, clicked, n, 0.0);
        assertThat(weighted[1]).as("weighted slope vs the uniform log's %.3f", truth[1]).isCloseTo(truth[1], within(0.1));
        assertThat(weighted[0]).isCloseTo(truth[0], within(0.1));
        assertThat(Math.abs(naive[1] - truth[1])).as("the unweighted fit is biased").isGreaterThan(0.5);
    }

    @Test
    void weightedAucCountsARowOfWeightTwoLikeTwoRows() {
        double[] scores = {0.1, 0.4, 0.35, 0.8, 0.6};
        java.util.BitSet labels = new java.util.BitSet();
        labels.set(2);
        labels.set(3);
        double weighted = LogisticRegression.auc(scores, labels, 5, new float[] {1, 2, 1, 1, 1});
        double[] dup = {0.1, 0.4, 0.4, 0.35, 0.8, 0.6};
        java.util.BitSet dupLabels = new java.util.BitSet();
        dupLabels.set(3);
        dupLabels.set(4);
        assertThat(weighted).isCloseTo(LogisticRegression.auc(dup, dupLabels, 6), within(1e-12));
        assertThat(LogisticRegression.auc(scores, labels, 5, new float[] {1, 1, 1, 1, 1})).isCloseTo(LogisticRegression.auc(scores, labels, 5), within(1e-12));
    }
}
