/** KPIs over the stored decisions and outcomes: rates with Wilson intervals, intent-signal accuracy, friction. */
package dev.kairos.feedback.kpi;
