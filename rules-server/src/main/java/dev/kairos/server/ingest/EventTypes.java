package dev.kairos.server.ingest;

import java.util.Map;
import java.util.Set;

/**
 * The canonical event types (schema version 1, docs/events.md) and the properties each requires,
 * with their JSON types: {@code string}, {@code number}, {@code integer}, {@code boolean}.
 */
public final class EventTypes {
    /** Current schema version of canonical events. */
    public static final int SCHEMA_VERSION = 1;

    /** Required properties per type. */
    public static final Map<String, Map<String, String>> REQUIRED = Map.ofEntries(
            Map.entry("page_view", Map.of()),
            Map.entry("screen_view", Map.of("name", "string")),
            Map.entry("scroll", Map.of()),
            Map.entry("click", Map.of("target", "string")),
            Map.entry("search", Map.of("query", "string")),
            Map.entry("product_view", Map.of("productId", "string")),
            Map.entry("add_to_cart", Map.of("productId", "string")),
            Map.entry("remove_from_cart", Map.of("productId", "string")),
            Map.entry("checkout_start", Map.of()),
            Map.entry("purchase", Map.of()),
            Map.entry("purchase_failed", Map.of()),
            Map.entry("ad_click", Map.of()),
            Map.entry("task_created", Map.of()),
            Map.entry("identify", Map.of()),
            Map.entry("custom", Map.of("name", "string")));

    /** Optional properties Kairos reads, with their types (others are kept as they are). */
    public static final Map<String, String> KNOWN_OPTIONAL = Map.ofEntries(
            Map.entry("depth", "number"), Map.entry("depthPx", "number"), Map.entry("velocity", "number"),
            Map.entry("rapid", "boolean"), Map.entry("category", "string"), Map.entry("quantity", "integer"),
            Map.entry("price", "number"), Map.entry("value", "number"), Map.entry("path", "string"),
            Map.entry("title", "string"), Map.entry("orderId", "string"), Map.entry("reason", "string"),
            Map.entry("adId", "string"));

    /** Outcome types of {@code POST /v1/outcomes}. */
    public static final Set<String> OUTCOMES = Set.of("impression", "click", "dismiss", "conversion");

    private EventTypes() {}
}
