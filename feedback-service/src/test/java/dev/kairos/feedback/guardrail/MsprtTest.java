package dev.kairos.feedback.guardrail;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class MsprtTest {
    /** Runs of an A/A test watched every 100 samples per arm up to 5,000: how many ever raise an alarm. */
    static double falseAlarms(boolean sequential, long seed) {
        Random r = new Random(seed);
        int runs = 400, alarms = 0;
        for (int run = 0; run < runs; run++) {
            long n = 0, xC = 0, xT = 0;
            boolean alarm = false;
            while (n < 5000 && !alarm) {
                for (int i = 0; i < 100; i++) {
                    if (r.nextDouble() < 0.1) xC++;
                    if (r.nextDouble() < 0.1) xT++;
                }
                n += 100;
                if (sequential) {
                    alarm = Msprt.test(n, xC, n, xT, 0.02, 0.05).significant();
                } else {
                    double pC = (double) xC / n, pT = (double) xT / n, p = (xC + xT) / (2.0 * n);
                    double se = Math.sqrt(p * (1 - p) * 2 / n);
                    alarm = se > 0 && Math.abs(pT - pC) / se > 1.96;
                }
            }
            if (alarm) alarms++;
        }
        return (double) alarms / runs;
    }

    @Test
    void watchingItEveryIntervalKeepsFalseAlarmsUnderAlphaUnlikeAPeekedZTest() {
        double msprt = falseAlarms(true, 1);
        double z = falseAlarms(false, 1);
        assertThat(msprt).as("mSPRT, watched 50 times").isLessThanOrEqualTo(0.05);
        assertThat(z).as("a z-test watched 50 times raises far more false alarms").isGreaterThan(0.15);
    }

    @Test
    void findsARealDifferenceAndItsIntervalCoversIt() {
        Random r = new Random(3);
        long n = 4000, xC = 0, xT = 0;
        for (int i = 0; i < n; i++) {
            if (r.nextDouble() < 0.10) xC++;
            if (r.nextDouble() < 0.16) xT++;
        }
        Msprt.Result res = Msprt.test(n, xC, n, xT, 0.02, 0.05);
        assertThat(res.significant()).isTrue();
        assertThat(res.low()).isPositive().isLessThan(0.06);
        assertThat(res.high()).isGreaterThan(0.06);
        assertThat(res.likelihoodRatio()).isGreaterThanOrEqualTo(20);
        assertThat(Msprt.test(0, 0, 10, 1, 0.02, 0.05).significant()).as("an empty arm").isFalse();
    }
}
