package dev.kairos.sdk;

import java.util.Locale;

/** What a user did with a piece of content the rules server chose; see {@link Kairos#outcome}. */
public enum Outcome {
    /** The content was shown. */
    IMPRESSION,
    /** The user tapped or clicked it. */
    CLICK,
    /** The user closed or swiped it away. */
    DISMISS,
    /** The user did what it asked (bought, signed up). */
    CONVERSION;

    /** The wire name: {@code impression}, {@code click}, {@code dismiss}, {@code conversion}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
