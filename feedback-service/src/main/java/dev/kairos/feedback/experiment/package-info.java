/** Results of A/B experiments per variant: two-proportion z-tests against the control, with a minimum sample size. */
package dev.kairos.feedback.experiment;
