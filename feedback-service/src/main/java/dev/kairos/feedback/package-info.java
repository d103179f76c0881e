/** The Kairos feedback service: decision and outcome log, KPIs, recalibration and dashboard. */
package dev.kairos.feedback;
