/** A real single-node Kafka broker in a child JVM, for tests and the local quick start. */
package dev.kairos.kafka;
