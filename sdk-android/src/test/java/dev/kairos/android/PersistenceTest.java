package dev.kairos.android;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import android.app.Application;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;

/** Events and the anonymous id outlive the process: a new instance on the same files sends them. */
@RunWith(RobolectricTestRunner.class)
public class PersistenceTest {

  @Rule public final EventServer server = new EventServer();
  private Application app;

  @Before
  public void setUp() throws Exception {
    app = RuntimeEnvironment.getApplication();
  }

  private KairosAndroid start() {
    return KairosAndroid.builder(app).writeKey("wk_test").baseUrl(server.url())
        .flushAt(1000).flushInterval(Duration.ofHours(1)).build();
  }

  @Test
  public void queuedEventsAndTheAnonymousIdSurviveARestart() throws Exception {
    server.failing(true); // the server is down for the whole first "process"
    KairosAndroid first = start();
    for (int i = 0; i < 5; i++) {
      first.track("click", Map.of("target", "button-" + i));
    }
    String anonymousId = first.kairos().anonymousId();
    first.flush();
    // until the batch has been read back from disk and tried once
    await().atMost(Duration.ofSeconds(10)).until(() -> server.requestCount() > 0);
    first.close(); // the process ends with everything still queued

    assertThat(new File(app.getApplicationInfo().dataDir, "files/kairos"))
        .as("the queue lives under the app's files directory").isDirectory();

    server.failing(false);
    KairosAndroid second = start();
    try {
      assertThat(second.kairos().anonymousId()).isEqualTo(anonymousId);
      second.flush();
      List<Object> targets = new ArrayList<>();
      Set<Object> ids = new HashSet<>();
      for (int i = 0; i < 5; i++) {
        Map<String, Object> event = server.next();
        assertThat(event).as("event %d of 5", i).isNotNull();
        targets.add(EventServer.properties(event).get("target"));
        ids.add(event.get("eventId"));
        assertThat(event.get("anonymousId")).isEqualTo(anonymousId);
      }
      assertThat(targets).containsExactly("button-0", "button-1", "button-2", "button-3", "button-4");
      assertThat(ids).hasSize(5);
    } finally {
      second.close();
    }
  }
}
