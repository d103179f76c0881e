package dev.kairos.feedback.kpi;

import dev.kairos.feedback.store.IntentBin;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RateTest {
    @Test
    void wilsonIntervalMatchesThePublishedValuesFor10OutOf100() {
        Rate r = Rate.of(10, 100);
        assertThat(r.value()).isEqualTo(0.1);
        assertThat(r.low()).isCloseTo(0.0552, within(1e-4));
        assertThat(r.high()).isCloseTo(0.1744, within(1e-4));
    }

    @Test
    void wilsonIntervalStaysInsideZeroAndOneAtTheEdges() {
        assertThat(Rate.of(0, 20).low()).isZero();
        assertThat(Rate.of(0, 20).high()).isCloseTo(0.1611, within(1e-4));
        assertThat(Rate.of(20, 20).high()).isEqualTo(1.0);
    }

    @Test
    void anEmptySampleHasNoValue() {
        assertThat(Rate.of(0, 0)).isEqualTo(new Rate(null, null, null, 0, 0));
    }

    @Test
    void aucIsOneWhenEveryEngagedPlacementScoredHigherAndHalfWhenScoresSayNothing() {
        IntentAccuracy perfect = IntentAccuracy.of(List.of(new IntentBin("g", 3, 10, 0, 10, 0), new IntentBin("g", 18, 5, 5, 5, 0)), 0.8);
        assertThat(perfect.auc()).isEqualTo(1.0);
        assertThat(perfect.precision().value()).isEqualTo(1.0);
        assertThat(perfect.recall().value()).isEqualTo(1.0);

        IntentAccuracy chance = IntentAccuracy.of(List.of(new IntentBin("g", 5, 10, 5, 10, 0), new IntentBin("g", 17, 10, 5, 10, 0)), 0.8);
        assertThat(chance.auc()).isEqualTo(0.5);
        assertThat(chance.precision().value()).isEqualTo(0.5);
        assertThat(chance.recall().value()).isEqualTo(0.5);
        assertThat(chance.positives()).isEqualTo(10);
        assertThat(chance.negatives()).isEqualTo(10);
    }

    @Test
    void aucIsUnknownWithoutBothEngagedAndNotEngagedPlacements() {
        assertThat(IntentAccuracy.of(List.of(new IntentBin("g", 5, 10, 10, 10, 0)), 0.8).auc()).isNull();
    }
}
