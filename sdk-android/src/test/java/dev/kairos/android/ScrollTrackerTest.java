package dev.kairos.android;

import static dev.kairos.android.EventServer.properties;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assert.assertThrows;
import static org.robolectric.Shadows.shadowOf;

import android.app.Application;
import android.os.Looper;
import android.view.View;
import android.view.ViewGroup;
import android.widget.ScrollView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;

/** A scrolling view's callbacks become scroll-depth and rapid-scroll events. */
@RunWith(RobolectricTestRunner.class)
public class ScrollTrackerTest {

  @Rule public final EventServer server = new EventServer();
  private KairosAndroid kairos;

  @Before
  public void setUp() throws Exception {
    kairos = KairosAndroid.builder(RuntimeEnvironment.getApplication()).writeKey("wk_test").baseUrl(server.url())
        .flushAt(1000).flushInterval(Duration.ofHours(1)).build();
  }

  @After
  public void tearDown() throws Exception {
    kairos.close();
  }

  private List<Map<String, Object>> sentScrolls() throws Exception {
    kairos.flush();
    List<Map<String, Object>> scrolls = new ArrayList<>();
    for (Map<String, Object> e = server.next(2000); e != null; e = server.next(2000)) {
      assertThat(e.get("type")).isEqualTo("scroll");
      scrolls.add(properties(e));
    }
    return scrolls;
  }

  @Test
  public void aScrollViewReportsDepthMilestonesAndARapidBurst() throws Exception {
    Application app = RuntimeEnvironment.getApplication();
    ScrollView scrollView = new ScrollView(app);
    View content = new View(app);
    content.setMinimumHeight(4000);
    scrollView.addView(content, new ViewGroup.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, 4000));
    scrollView.measure(View.MeasureSpec.makeMeasureSpec(500, View.MeasureSpec.EXACTLY),
        View.MeasureSpec.makeMeasureSpec(1000, View.MeasureSpec.EXACTLY));
    scrollView.layout(0, 0, 500, 1000);
    kairos.scrollTracker().attachTo(scrollView);

    scrollView.scrollTo(0, 100);   // 27.5 % seen: the first quarter
    shadowOf(Looper.getMainLooper()).idleFor(Duration.ofSeconds(1));
    scrollView.scrollTo(0, 1000);  // 50 %, slowly
    shadowOf(Looper.getMainLooper()).idleFor(Duration.ofMillis(100));
    scrollView.scrollTo(0, 3000);  // the end, 2000 px in 100 ms: rapid

    List<Map<String, Object>> scrolls = sentScrolls();
    assertThat(scrolls).extracting(p -> p.get("depth")).containsExactly(0.275, 0.5, 1.0, 1.0);
    assertThat(scrolls.get(3)).containsEntry("rapid", true).containsEntry("velocity", 20000.0);
    assertThat(scrolls.subList(0, 3)).allSatisfy(p -> assertThat(p).doesNotContainKey("rapid"));
  }

  @Test
  public void aListFeedsOffsetRangeAndExtent() throws Exception {
    ScrollTracker tracker = ScrollTracker.builder(kairos.kairos()).depthStep(0.5).build();

    tracker.onScrolled(0, 10_000, 2000, 0);
    tracker.onScrolled(3000, 10_000, 2000, 1000); // 50 %
    tracker.onScrolled(4000, 10_000, 2000, 2000); // 60 %: no new milestone
    tracker.reset();                               // new content
    tracker.onScrolled(3000, 10_000, 2000, 3000); // 50 % of the new content

    assertThat(sentScrolls()).extracting(p -> p.get("depth")).containsExactly(0.5, 0.5);
  }

  @Test
  public void rejectsADepthStepOutsideZeroToOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ScrollTracker.builder(kairos.kairos()).depthStep(1.5));

    assertThat(e).hasMessageContaining("depthStep");
  }
}
