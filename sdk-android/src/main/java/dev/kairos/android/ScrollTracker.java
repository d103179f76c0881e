package dev.kairos.android;

import android.os.SystemClock;
import android.view.View;
import android.widget.ScrollView;
import dev.kairos.android.internal.ScrollMeter;
import dev.kairos.sdk.Kairos;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a scrolling view's callbacks into {@code scroll} events, so that the app does no maths:
 * one event each time the deepest point seen passes a milestone (25 %, 50 %, 75 %, 100 % by
 * default), and one {@code rapid} event at the start of each burst of fast scrolling.
 *
 * <p>With a {@code RecyclerView}, feed it from the scroll listener:
 *
 * <pre>{@code
 * ScrollTracker tracker = KairosAndroid.with(context).scrollTracker();
 * recyclerView.addOnScrollListener(new RecyclerView.OnScrollListener() {
 *   public void onScrolled(RecyclerView rv, int dx, int dy) {
 *     tracker.onScrolled(rv.computeVerticalScrollOffset(), rv.computeVerticalScrollRange(),
 *         rv.computeVerticalScrollExtent());
 *   }
 * });
 * }</pre>
 *
 * A {@link ScrollView} can be attached directly with {@link #attachTo(ScrollView)}. When the view
 * shows new content (a new page), call {@link #reset()}.
 *
 * <p>Depth is the share of the content that has been on screen, 0 to 1; velocity is in pixels per
 * second between two callbacks. Not thread-safe: call it on the main thread, where scroll
 * callbacks run; it does no I/O (recording an event costs about a microsecond).
 */
public final class ScrollTracker {

  /** Default rapid-scroll threshold: the rules server's own (3000 px/s). */
  public static final double DEFAULT_RAPID_VELOCITY_PX_PER_SEC = 3000;
  /** Default milestone spacing: a depth event at each quarter. */
  public static final double DEFAULT_DEPTH_STEP = 0.25;

  private final ScrollMeter meter;

  private ScrollTracker(Builder b) {
    Kairos kairos = b.kairos;
    this.meter = new ScrollMeter(b.rapidVelocity, b.depthStep, new ScrollMeter.Output() {
      @Override
      public void depthReached(double depth, double velocityPxPerSec) {
        kairos.scroll(depth, velocityPxPerSec);
      }

      @Override
      public void rapidScroll(double depth, double velocityPxPerSec) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("depth", depth);
        p.put("velocity", velocityPxPerSec);
        p.put("rapid", true);
        kairos.track("scroll", p);
      }
    });
  }

  /** A builder of trackers reporting to {@code kairos}. */
  public static Builder builder(Kairos kairos) {
    if (kairos == null) {
      throw new IllegalArgumentException("kairos must not be null");
    }
    return new Builder(kairos);
  }

  /**
   * Records the view's scroll position now ({@code computeVerticalScrollOffset()},
   * {@code computeVerticalScrollRange()}, {@code computeVerticalScrollExtent()} of a RecyclerView,
   * or the horizontal ones for a horizontal list).
   */
  public void onScrolled(int offset, int range, int extent) {
    onScrolled(offset, range, extent, SystemClock.uptimeMillis());
  }

  /** As {@link #onScrolled(int, int, int)}, with the time of the reading in uptime milliseconds. */
  public void onScrolled(int offset, int range, int extent, long uptimeMillis) {
    meter.onScroll(offset, range, extent, uptimeMillis);
  }

  /**
   * Follows a {@link ScrollView} (replaces its {@link View.OnScrollChangeListener}): the range is
   * its child's height, the extent its own height less padding.
   */
  public void attachTo(ScrollView view) {
    view.setOnScrollChangeListener((v, scrollX, scrollY, oldScrollX, oldScrollY) -> {
      ScrollView scrollView = (ScrollView) v;
      if (scrollView.getChildCount() == 0) {
        return;
      }
      int extent = scrollView.getHeight() - scrollView.getPaddingTop() - scrollView.getPaddingBottom();
      int range = scrollView.getChildAt(0).getHeight();
      onScrolled(scrollY, range, extent);
    });
  }

  /** Starts over for new content: depth milestones are reported again. */
  public void reset() {
    meter.reset();
  }

  /** The deepest share of the content seen since creation or {@link #reset()}, 0 to 1. */
  public double maxDepth() {
    return meter.maxDepth();
  }

  /** Configures a {@link ScrollTracker}. */
  public static final class Builder {
    private final Kairos kairos;
    private double rapidVelocity = DEFAULT_RAPID_VELOCITY_PX_PER_SEC;
    private double depthStep = DEFAULT_DEPTH_STEP;

    private Builder(Kairos kairos) {
      this.kairos = kairos;
    }

    /** Velocity in px/s from which scrolling is rapid; default {@value #DEFAULT_RAPID_VELOCITY_PX_PER_SEC}. */
    public Builder rapidVelocity(double pxPerSec) {
      if (!(pxPerSec > 0)) {
        throw new IllegalArgumentException("rapidVelocity must be > 0, was " + pxPerSec);
      }
      this.rapidVelocity = pxPerSec;
      return this;
    }

    /** Milestone spacing in (0, 1]; default {@value #DEFAULT_DEPTH_STEP} (quarters). */
    public Builder depthStep(double step) {
      if (!(step > 0 && step <= 1)) {
        throw new IllegalArgumentException("depthStep must be in (0, 1], was " + step);
      }
      this.depthStep = step;
      return this;
    }

    /** The tracker. */
    public ScrollTracker build() {
      return new ScrollTracker(this);
    }
  }
}
