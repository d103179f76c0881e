package dev.kairos.sdk;

import org.jspecify.annotations.Nullable;

import java.util.Map;

/**
 * Adds the app's context to events and decisions, in the shape of the decide API's
 * {@code context} ({@code device}, {@code location}, {@code locale}, {@code network}, ...; see
 * {@code docs/api.md}). The platform layers (Android) supply one; a server-side app rarely needs to.
 *
 * <p>{@link #staticContext()} is read once, on the SDK's background thread, and
 * {@link #eventContext()} for every event on that same thread (never on the caller's), so both may
 * read system services. Keys of the event context win over the static ones; both win over what
 * the SDK captures itself (time zone, locale, library).
 */
public interface ContextProvider {
    /** Context that does not change while the process lives (device, app version, screen). */
    default @Nullable Map<String, Object> staticContext() { return java.util.Collections.emptyMap(); }

    /** Context of the moment (location, network type); called for every event. */
    default @Nullable Map<String, Object> eventContext() { return java.util.Collections.emptyMap(); }
}
