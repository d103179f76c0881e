/** Admin-defined A/B experiments, several at once: definitions shared through a compacted topic, sticky assignment of users by hashing. */
package dev.kairos.server.experiments;
