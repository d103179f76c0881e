/** {@code POST /v1/events} and {@code POST /v1/outcomes}: validate batches and hand them durably to Kafka. */
package dev.kairos.server.ingest;
