/**
 * The Tier-2 signal engine: a Kafka Streams topology keeps per-user state from the events topic,
 * publishes each user's latest state to the compacted signals topic, and every instance reads that
 * topic into a local view that {@code /v1/decide} reads without a network hop.
 */
package dev.kairos.server.signals;
