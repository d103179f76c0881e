/**
 * The fact model that marketers write DRL against: {@link dev.kairos.rules.Context},
 * {@link dev.kairos.rules.Signals}, {@link dev.kairos.rules.Segment}, {@link dev.kairos.rules.Weights},
 * {@link dev.kairos.rules.Placement} in, {@link dev.kairos.rules.Adaptation} out.
 */
package dev.kairos.rules;
