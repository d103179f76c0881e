/** The SQL store of decisions and outcomes (H2 or PostgreSQL, migrated by Flyway) and the KPI queries over it. */
package dev.kairos.feedback.store;
