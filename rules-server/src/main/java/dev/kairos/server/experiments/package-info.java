/** Admin-defined A/B experiments: definitions kept under the data dir, sticky assignment of users by hashing. */
package dev.kairos.server.experiments;
