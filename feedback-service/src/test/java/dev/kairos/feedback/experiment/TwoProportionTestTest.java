package dev.kairos.feedback.experiment;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TwoProportionTestTest {
    @Test
    void matchesTheTextbookValues() {
        // 10 % of 1000 against 13 % of 1000: pooled 11.5 %, z = 0.03 / sqrt(0.115·0.885·0.002) = 2.1027, p = 0.0355.
        TwoProportionTest.Result r = TwoProportionTest.of(100, 1000, 130, 1000);
        assertThat(r.z()).isCloseTo(2.1027, within(1e-4));
        assertThat(r.p()).isCloseTo(0.0355, within(1e-4));
        assertThat(TwoProportionTest.of(130, 1000, 100, 1000).z()).isCloseTo(-2.1027, within(1e-4));
    }

    @Test
    void equalRatesAreNoDifferenceAndEmptyOrConstantSamplesAreUntestable() {
        assertThat(TwoProportionTest.of(50, 500, 50, 500).p()).isCloseTo(1.0, within(1e-6));
        assertThat(TwoProportionTest.of(0, 0, 5, 10).p()).isNaN();
        assertThat(TwoProportionTest.of(0, 100, 0, 100).p()).isNaN();
    }

    @Test
    void normalCdfIsAccurate() {
        assertThat(TwoProportionTest.normalCdf(1.959964)).isCloseTo(0.975, within(1e-6));
        assertThat(TwoProportionTest.normalCdf(0)).isCloseTo(0.5, within(1e-7));
        assertThat(TwoProportionTest.normalCdf(-1)).isCloseTo(0.158655, within(1e-6));
    }
}
