/**
 * The Android layer over the Kairos Java SDK: lifecycle, storage and device context. Not built yet.
 */
package dev.kairos.android;
