/**
 * The Kairos client SDK for the JVM: batching, disk-backed delivery of events, decide and
 * outcomes. Not built yet; the HTTP contract it will speak is in docs/api.md.
 */
package dev.kairos.sdk;
