/** Consumes the decisions and outcomes topics into the store (at-least-once, idempotent writes). */
package dev.kairos.feedback.ingest;
