/** Health both services report: the reachability of the Kafka cluster, probed in the background. */
package dev.kairos.service.health;
