/** Kafka topics and their creation at start-up. */
package dev.kairos.server.kafka;
