/**
 * The Kairos SDK for Android: {@link dev.kairos.android.KairosAndroid} sets up the Java core for an
 * app (manifest configuration, storage, lifecycle, connectivity, device context), and
 * {@link dev.kairos.android.ScrollTracker} turns scroll callbacks into scroll events.
 */
package dev.kairos.android;
