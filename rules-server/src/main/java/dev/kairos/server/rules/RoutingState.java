package dev.kairos.server.rules;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which versions serve traffic: {@code active} for everyone, except the {@code canaryPercent} of
 * users hashed into {@code canary}; {@code history} holds earlier active versions, most recent
 * last, for roll back; {@code changes} is the log of routing changes, most recent last (at most
 * {@link #MAX_CHANGES}), each with who or what made it and why. {@code revision} counts the
 * changes ever applied: a writer that says which revision it saw ({@code expectedRevision}) has its
 * change refused with a conflict when another came first.
 */
public record RoutingState(String active, String canary, double canaryPercent, List<String> history, List<Change> changes,
                           long revision) {
    /** Changes kept in the log. */
    public static final int MAX_CHANGES = 50;

    /**
     * One routing change: {@code action} is {@code activate}, {@code canary}, {@code promote},
     * {@code rollback}, {@code auto-rollback}, {@code breaker-tripped} or {@code restore}; {@code by}
     * is {@code admin}, {@code breaker} (the server itself) or {@code migration}; {@code reason} says
     * why (an admin's note, or what tripped the breaker).
     */
    public record Change(Instant at, String action, String version, String by, String reason) {}

    public RoutingState {
        history = List.copyOf(history);
        changes = changes == null ? List.of() : List.copyOf(changes);
    }

    public RoutingState(String active, String canary, double canaryPercent, List<String> history) {
        this(active, canary, canaryPercent, history, List.of(), 0);
    }

    /** This state with {@code change} appended to the log (the oldest entries dropped beyond the limit). */
    public RoutingState with(Change change) {
        List<Change> log = new ArrayList<>(changes);
        log.add(change);
        if (log.size() > MAX_CHANGES) log = log.subList(log.size() - MAX_CHANGES, log.size());
        return new RoutingState(active, canary, canaryPercent, history, log, revision);
    }

    /** This state at {@code revision}. */
    public RoutingState at(long revision) {
        return new RoutingState(active, canary, canaryPercent, history, changes, revision);
    }
}
