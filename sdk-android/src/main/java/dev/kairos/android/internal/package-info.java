/**
 * Machinery of the Android layer: context collection, lifecycle and connectivity observers, scroll
 * maths and the bridge to the Java core. Not API: may change in any release.
 */
package dev.kairos.android.internal;
