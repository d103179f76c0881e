/** Machinery behind {@link dev.kairos.sdk.Kairos}: queues, the persist and send workers, JSON. Not an API. */
package dev.kairos.sdk.internal;
