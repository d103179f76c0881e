/** The feedback service's settings, its data source and its Kafka topics. */
package dev.kairos.feedback.config;
