/** The Kairos feedback service: outcome log, KPIs, recalibration and dashboard. Today: health only. */
package dev.kairos.feedback;
