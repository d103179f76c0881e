package dev.kairos.android;

import android.content.Context;

/**
 * The Android entry point under the name the platform's docs use: {@code Kairos.with(context)}
 * and {@code Kairos.builder(context)} are {@link KairosAndroid#with(Context)} and
 * {@link KairosAndroid#builder(Context)}. Code that also imports the core's
 * {@code dev.kairos.sdk.Kairos} can use {@link KairosAndroid} directly, without a name clash.
 *
 * <pre>{@code
 * KairosAndroid kairos = dev.kairos.android.Kairos.with(context);   // from manifest meta-data
 * kairos.kairos().productView("sku-42", "dresses");
 * }</pre>
 */
public final class Kairos {
  private Kairos() { }

  /** The shared instance, built on first use from the manifest meta-data; see {@link KairosAndroid#with(Context)}. */
  public static KairosAndroid with(Context context) {
    return KairosAndroid.with(context);
  }

  /** A builder for an instance configured in code; see {@link KairosAndroid#builder(Context)}. */
  public static KairosAndroid.Builder builder(Context context) {
    return KairosAndroid.builder(context);
  }
}
