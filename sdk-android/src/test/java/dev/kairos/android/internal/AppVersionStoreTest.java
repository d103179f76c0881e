package dev.kairos.android.internal;

import static org.assertj.core.api.Assertions.assertThat;

import android.content.Context;
import dev.kairos.android.internal.AppVersionStore.Change;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;

@RunWith(RobolectricTestRunner.class)
public class AppVersionStoreTest {

  private static AppVersionStore store() {
    Context app = RuntimeEnvironment.getApplication();
    return new AppVersionStore(app); // a new instance each time, as on each process start
  }

  @Test
  public void tellsAnInstallFromAnUpdateFromAPlainStart() {
    AppVersionStore.Result first = store().check(7, "1.0");
    store().recorded(7, "1.0");
    AppVersionStore.Result again = store().check(7, "1.0");
    AppVersionStore.Result updated = store().check(8, "1.1");

    assertThat(first.change).isEqualTo(Change.INSTALLED);
    assertThat(again.change).isEqualTo(Change.UNCHANGED);
    assertThat(again.eventId).isNull();
    assertThat(updated.change).isEqualTo(Change.UPDATED);
    assertThat(updated.previousVersionCode).isEqualTo(7);
    assertThat(updated.previousVersionName).isEqualTo("1.0");
  }

  @Test
  public void aChangeStaysDueUnderOneEventIdUntilItIsRecorded() {
    AppVersionStore.Result first = store().check(7, "1.0");
    AppVersionStore.Result retried = store().check(7, "1.0"); // the process died before recorded()

    assertThat(retried.change).isEqualTo(Change.INSTALLED);
    assertThat(retried.eventId).isNotNull().isEqualTo(first.eventId);

    store().recorded(7, "1.0");
    AppVersionStore.Result updated = store().check(8, "1.1");
    assertThat(updated.eventId).isNotNull().isNotEqualTo(first.eventId);
  }
}
