package dev.kairos.android;

import static org.assertj.core.api.Assertions.assertThat;

import android.os.Build;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;

@RunWith(RobolectricTestRunner.class)
public class RobolectricSmokeTest {
  @Test
  public void runsOnApi35() {
    assertThat(Build.VERSION.SDK_INT).isEqualTo(35);
  }
}
