package dev.kairos.android.internal;

/**
 * Turns raw scroll positions (offset, range, extent, time) into scroll-depth milestones and
 * rapid-scroll bursts. Pure maths, no Android types, so it is tested without a device.
 *
 * <p>Depth is the fraction of the content that has been on screen: {@code (offset + extent) /
 * range}, so content that fits the viewport is fully seen. Velocity is the distance between two
 * readings over the time between them; a pause longer than {@link #GESTURE_GAP_MILLIS} starts a new
 * gesture. Not thread-safe: feed it from one thread (the UI thread, where scroll callbacks run).
 */
public final class ScrollMeter {

  /** A pause between two readings longer than this ends a gesture (and a rapid burst). */
  public static final long GESTURE_GAP_MILLIS = 500;

  /** What the meter reports. */
  public interface Output {
    /** The deepest point seen passed a new milestone; {@code depth} is that deepest point. */
    void depthReached(double depth, double velocityPxPerSec);

    /** A burst of scrolling at or above the rapid threshold began. */
    void rapidScroll(double depth, double velocityPxPerSec);
  }

  private final double rapidVelocityPxPerSec;
  private final double depthStep;
  private final Output output;

  private double maxDepth;
  private int milestonesReported;
  private boolean hasPrevious;
  private long previousOffset;
  private long previousTimeMillis;
  private boolean inRapidBurst;

  /**
   * @param rapidVelocityPxPerSec velocity at or above which scrolling counts as rapid
   * @param depthStep milestone spacing in (0, 1]; 0.25 reports 25 %, 50 %, 75 % and 100 %
   * @param output where readings go
   */
  public ScrollMeter(double rapidVelocityPxPerSec, double depthStep, Output output) {
    if (!(rapidVelocityPxPerSec > 0)) {
      throw new IllegalArgumentException("rapidVelocityPxPerSec must be > 0, was " + rapidVelocityPxPerSec);
    }
    if (!(depthStep > 0 && depthStep <= 1)) {
      throw new IllegalArgumentException("depthStep must be in (0, 1], was " + depthStep);
    }
    if (output == null) {
      throw new IllegalArgumentException("output must not be null");
    }
    this.rapidVelocityPxPerSec = rapidVelocityPxPerSec;
    this.depthStep = depthStep;
    this.output = output;
  }

  /**
   * Records one scroll position.
   *
   * @param offset pixels scrolled from the top (e.g. {@code computeVerticalScrollOffset()})
   * @param range total content height in pixels (e.g. {@code computeVerticalScrollRange()})
   * @param extent visible height in pixels (e.g. {@code computeVerticalScrollExtent()})
   * @param timeMillis a monotonic time of the reading (e.g. {@code SystemClock.uptimeMillis()})
   */
  public void onScroll(long offset, long range, long extent, long timeMillis) {
    if (range <= 0 || extent < 0 || offset < 0) {
      return; // not laid out yet: nothing meaningful to measure
    }
    double depth = range <= extent ? 1.0 : Math.min(1.0, (double) (offset + extent) / range);
    double measured = velocity(offset, timeMillis);
    double velocity = Double.isNaN(measured) ? 0 : measured;
    hasPrevious = true;
    previousOffset = offset;
    previousTimeMillis = timeMillis;

    if (depth > maxDepth) {
      maxDepth = depth;
    }
    int milestones = (int) Math.floor(maxDepth / depthStep + 1e-9);
    if (milestones > milestonesReported) {
      milestonesReported = milestones;
      output.depthReached(maxDepth, velocity);
    }

    if (Double.isNaN(measured)) {
      return; // two readings in the same millisecond say nothing about speed
    }
    if (velocity >= rapidVelocityPxPerSec) {
      if (!inRapidBurst) {
        inRapidBurst = true;
        output.rapidScroll(depth, velocity);
      }
    } else if (velocity < rapidVelocityPxPerSec / 2) {
      inRapidBurst = false; // hysteresis: one burst is reported once, not once per frame
    }
  }

  /** Forgets everything measured, for new content in the same view (a new page or screen). */
  public void reset() {
    maxDepth = 0;
    milestonesReported = 0;
    hasPrevious = false;
    inRapidBurst = false;
  }

  /** The deepest point seen since creation or the last {@link #reset()}, 0 to 1. */
  public double maxDepth() {
    return maxDepth;
  }

  private double velocity(long offset, long timeMillis) {
    if (!hasPrevious) {
      return 0;
    }
    long elapsed = timeMillis - previousTimeMillis;
    if (elapsed <= 0) {
      return Double.NaN;
    }
    if (elapsed > GESTURE_GAP_MILLIS) {
      inRapidBurst = false; // a new gesture; the old position is no base for a speed
      return 0;
    }
    return Math.abs(offset - previousOffset) * 1000.0 / elapsed;
  }
}
