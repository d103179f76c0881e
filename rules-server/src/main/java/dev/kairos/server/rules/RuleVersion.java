package dev.kairos.server.rules;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An uploaded rule pack, immutable once stored: id ({@code v1}, {@code v2}, …), when and why it
 * was uploaded, a SHA-256 of its content, its DRL files and the names of its rules.
 */
public record RuleVersion(String id, Instant createdAt, String description, String sha256,
                          Map<String, String> files, List<String> rules) {
    public RuleVersion {
        files = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files));
        rules = List.copyOf(rules);
    }
}
