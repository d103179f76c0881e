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
}
