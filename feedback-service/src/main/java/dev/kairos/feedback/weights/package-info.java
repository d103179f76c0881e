/** Recalibration of the signal weights (logistic regression, held-out validation), weights versions and their publication. */
package dev.kairos.feedback.weights;
