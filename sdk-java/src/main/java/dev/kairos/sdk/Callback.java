package dev.kairos.sdk;

import org.jspecify.annotations.Nullable;

/**
 * Tells the app what became of its events and outcomes. Every method has an empty default, so an
 * app overrides only what it cares about.
 *
 * <p>Runs on the SDK's background threads ({@code kairos-sender} for delivery results,
 * {@code kairos-persist} for drops): return quickly and never block. An exception thrown here is
 * logged and otherwise ignored.
 */
public interface Callback {
    /**
     * A batch reached the server: {@code accepted} items were new, {@code duplicates} had been
     * received before (a retried batch); {@code path} is {@code /v1/events} or {@code /v1/outcomes}.
     */
    default void onDelivered(String path, int accepted, int duplicates) { }

    /**
     * The server refused one item of a batch (for example an event type it does not know); the
     * rest of the batch was kept. The item is not retried.
     */
    default void onRejected(String path, @Nullable String itemId, String code, String message) { }

    /**
     * The SDK gave up on {@code count} items because the server answered a 4xx that no retry can
     * fix ({@code status}, e.g. 401 for a wrong write key); {@code reason} is the server's error code
     * or message.
     */
    default void onFailed(String path, int count, int status, String reason) { }

    /**
     * {@code count} of the oldest items were dropped because a queue was full
     * ({@code reason}: {@code "queue_full"} or {@code "memory_full"}) or because the SDK closed with
     * an in-memory queue still holding items ({@code "closed"}).
     */
    default void onDropped(String path, int count, String reason) { }
}
