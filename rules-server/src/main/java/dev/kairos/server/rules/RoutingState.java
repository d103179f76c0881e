package dev.kairos.server.rules;

import java.util.List;

/**
 * Which versions serve traffic: {@code active} for everyone, except the {@code canaryPercent} of
 * users hashed into {@code canary}; {@code history} holds earlier active versions, most recent
 * last, for roll back.
 */
public record RoutingState(String active, String canary, double canaryPercent, List<String> history) {
    public RoutingState {
        history = List.copyOf(history);
    }
}
