package dev.kairos.rules.engine;

import java.util.Objects;

/**
 * One DRL file of a pack: its name (e.g. {@code evening_offers.drl}) and text.
 */
public record RuleSource(String name, String drl) {
    public RuleSource {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("name must not be blank");
        Objects.requireNonNull(drl, "drl");
    }
}
