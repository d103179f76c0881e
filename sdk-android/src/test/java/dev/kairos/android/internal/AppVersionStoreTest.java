package dev.kairos.android.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.android.internal.AppVersionStore.Change;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;

@RunWith(RobolectricTestRunner.class)
public class AppVersionStoreTest {

  @Test
  public void tellsAnInstallFromAnUpdateFromAPlainStart() {
    AppVersionStore.Result first = new AppVersionStore(RuntimeEnvironment.getApplication()).record(7, "1.0");
    AppVersionStore.Result again = new AppVersionStore(RuntimeEnvironment.getApplication()).record(7, "1.0");
    AppVersionStore.Result updated = new AppVersionStore(RuntimeEnvironment.getApplication()).record(8, "1.1");

    assertThat(first.change).isEqualTo(Change.INSTALLED);
    assertThat(again.change).isEqualTo(Change.UNCHANGED);
    assertThat(updated.change).isEqualTo(Change.UPDATED);
    assertThat(updated.previousVersionCode).isEqualTo(7);
    assertThat(updated.previousVersionName).isEqualTo("1.0");
  }
}
