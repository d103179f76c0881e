package dev.kairos.server.rules;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One entry of the rules log ({@code kairos.topics.rules}): every change an admin (or the server's
 * circuit breaker) makes to rule versions and routing. Every instance applies the log in order,
 * so they all hold the same versions and routing; the writer waits until its own instance has
 * applied the entry and answers with the outcome.
 *
 * <ul>
 *   <li>{@code upload}: a new version, with its files and rule names; its id is the next free
 *       {@code vN} when applied, or {@code requestedVersion} (migrating an older single-node data
 *       folder, or the built-in pack at the very first start, {@code onlyIfAbsent}).</li>
 *   <li>{@code route}: {@code action} (activate, canary, promote, rollback, auto-rollback,
 *       breaker-tripped, restore) of {@code version} at {@code canaryPercent}; applied only when
 *       the routing is still at {@code expectedRevision} (compare-and-set), else refused as a
 *       conflict everywhere alike. {@code restore} sets {@code state} as a whole (migration).</li>
 * </ul>
 * Keys are unique per entry ({@code upload/<id>}, {@code route/<id>}), so compaction keeps them all.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record RulesCommand(String type, String id, Instant at, String by, String reason,
                    String requestedVersion, Boolean onlyIfAbsent, String description, Map<String, String> files,
                    List<String> rules, String sha256,
                    Long expectedRevision, String action, String version, Double canaryPercent, RoutingState state) {

    static RulesCommand upload(String id, Instant at, String requestedVersion, boolean onlyIfAbsent, String description,
                               Map<String, String> files, List<String> rules, String sha256) {
        return new RulesCommand("upload", id, at, "admin", null, requestedVersion, onlyIfAbsent ? Boolean.TRUE : null, description,
                files, rules, sha256, null, null, null, null, null);
    }

    static RulesCommand route(String id, Instant at, String by, String reason, long expectedRevision, String action, String version,
                              Double canaryPercent) {
        return new RulesCommand("route", id, at, by, reason, null, null, null, null, null, null, expectedRevision, action, version,
                canaryPercent, null);
    }

    static RulesCommand restore(String id, Instant at, RoutingState state) {
        return new RulesCommand("route", id, at, "migration", "routing of the single-node data folder", null, null, null, null, null,
                null, 0L, "restore", state.active(), null, state);
    }

    String key() { return type + "/" + id; }
}
