package dev.kairos.sdk;

import org.jspecify.annotations.Nullable;

/**
 * Where the SDK writes what it does. The default writes warnings and errors to
 * {@code System.err}; {@link #NONE} is silent. Write keys are never passed to the logger.
 *
 * <p>Called on the SDK's own threads and, for argument errors, on the caller's; an implementation
 * must be thread-safe and must not block.
 */
@FunctionalInterface
public interface KairosLogger {
    /** How much a message matters. */
    enum Level { DEBUG, INFO, WARN, ERROR }

    /** Logs {@code message}; {@code error} may be {@code null}. */
    void log(Level level, String message, @Nullable Throwable error);

    /** Discards everything. */
    KairosLogger NONE = (level, message, error) -> { };

    /** Warnings and errors to {@code System.err}; the default. */
    KairosLogger STDERR = (level, message, error) -> {
        if (level.compareTo(Level.WARN) >= 0) {
            System.err.println("[kairos] " + level + " " + message + (error == null ? "" : ": " + error));
        }
    };
}
