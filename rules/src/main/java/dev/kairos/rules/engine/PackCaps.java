package dev.kairos.rules.engine;

import java.util.Map;

/**
 * A pack's caps from its {@code caps.yaml}: at most N impressions per user on a placement in a
 * window ({@code placements: {home_banner: "5/24h"}}), and over all placements
 * ({@code global: "20/24h"}). Past a cap the placement shows only the pack default (a fallback),
 * whatever rule matched.
 */
public record PackCaps(Map<String, DeliveryLimits> placements, DeliveryLimits global) {
    /** No caps. */
    public static final PackCaps NONE = new PackCaps(Map.of(), null);

    public PackCaps {
        placements = Map.copyOf(placements);
    }

    public boolean isEmpty() { return placements.isEmpty() && global == null; }
}
