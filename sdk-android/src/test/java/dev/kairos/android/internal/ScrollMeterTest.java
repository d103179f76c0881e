package dev.kairos.android.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScrollMeterTest {

  private final List<String> out = new ArrayList<>();
  private final ScrollMeter meter = new ScrollMeter(3000, 0.25, new ScrollMeter.Output() {
    @Override
    public void depthReached(double depth, double velocity) {
      out.add(String.format("depth %.2f at %.0f", depth, velocity));
    }

    @Override
    public void rapidScroll(double depth, double velocity) {
      out.add(String.format("rapid %.2f at %.0f", depth, velocity));
    }
  });

  @Test
  void reportsEachQuarterOnceAsTheDeepestPointAdvances() {
    // 4000 px of content in a 1000 px viewport: the first screen is 25 % of it.
    meter.onScroll(0, 4000, 1000, 0);
    meter.onScroll(500, 4000, 1000, 1000);
    meter.onScroll(1000, 4000, 1000, 2000);
    meter.onScroll(0, 4000, 1000, 3000); // back to the top: nothing new
    meter.onScroll(1000, 4000, 1000, 4000); // same depth again: nothing new
    meter.onScroll(3000, 4000, 1000, 5000);

    assertThat(out).containsExactly("depth 0.25 at 0", "depth 0.50 at 0", "depth 1.00 at 0");
    assertThat(meter.maxDepth()).isEqualTo(1.0);
  }

  @Test
  void aJumpOverSeveralMilestonesIsOneEventWithTheDepthReached() {
    meter.onScroll(0, 10_000, 1000, 0);
    meter.onScroll(7000, 10_000, 1000, 400);

    assertThat(out).containsExactly("depth 0.80 at 17500", "rapid 0.80 at 17500");
  }

  @Test
  void contentThatFitsTheViewportIsFullySeen() {
    meter.onScroll(0, 800, 1000, 0);

    assertThat(out).containsExactly("depth 1.00 at 0");
  }

  @Test
  void measuresVelocityBetweenReadings() {
    meter.onScroll(0, 100_000, 1000, 0);
    meter.onScroll(20_000, 100_000, 1000, 100); // 20,000 px in 100 ms

    assertThat(out).containsExactly("rapid 0.21 at 200000");
  }

  @Test
  void oneRapidBurstIsReportedOnceUntilScrollingSlowsDown() {
    meter.onScroll(0, 1_000_000, 1000, 0);
    meter.onScroll(1000, 1_000_000, 1000, 100);  // 10,000 px/s: burst starts
    meter.onScroll(2000, 1_000_000, 1000, 200);  // still rapid: same burst
    meter.onScroll(2200, 1_000_000, 1000, 300);  // 2000 px/s: below threshold, above half: same burst
    meter.onScroll(3200, 1_000_000, 1000, 400);  // rapid again: still the same burst
    meter.onScroll(3300, 1_000_000, 1000, 500);  // 1000 px/s: below half, burst over
    meter.onScroll(4300, 1_000_000, 1000, 600);  // a new burst

    assertThat(out).containsExactly("rapid 0.00 at 10000", "rapid 0.01 at 10000");
  }

  @Test
  void aPauseStartsANewGestureAndEndsTheBurst() {
    meter.onScroll(0, 1_000_000, 1000, 0);
    meter.onScroll(1000, 1_000_000, 1000, 100);    // rapid
    meter.onScroll(90_000, 1_000_000, 1000, 5100); // far, but after a long pause: no speed measured
    meter.onScroll(91_000, 1_000_000, 1000, 5200); // rapid: a new burst

    assertThat(out).filteredOn(s -> s.startsWith("rapid")).hasSize(2);
  }

  @Test
  void readingsInTheSameMillisecondDoNotEndABurst() {
    meter.onScroll(0, 1_000_000, 1000, 0);
    meter.onScroll(1000, 1_000_000, 1000, 100); // rapid
    meter.onScroll(1001, 1_000_000, 1000, 100); // same millisecond: no speed
    meter.onScroll(2000, 1_000_000, 1000, 200); // still rapid: same burst

    assertThat(out).filteredOn(s -> s.startsWith("rapid")).hasSize(1);
  }

  @Test
  void resetReportsMilestonesAgainForNewContent() {
    meter.onScroll(0, 2000, 1000, 0);
    meter.reset();
    meter.onScroll(0, 2000, 1000, 10_000);

    assertThat(out).containsExactly("depth 0.50 at 0", "depth 0.50 at 0");
  }

  @Test
  void ignoresViewsThatAreNotLaidOut() {
    meter.onScroll(0, 0, 0, 0);
    meter.onScroll(-5, 1000, 100, 10);

    assertThat(out).isEmpty();
    assertThat(meter.maxDepth()).isZero();
  }

  @Test
  void rejectsNonsensicalSettings() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ScrollMeter(3000, 0, (ScrollMeter.Output) null));
    assertThat(e).hasMessageContaining("depthStep");
  }
}
