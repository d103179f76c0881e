/**
 * Learning inside readable rules: a rule offers alternatives with {@code choose("A", "B", "C")}
 * and a contextual bandit ({@link dev.kairos.rules.learn.Bandit}) picks one per decision over the
 * decision's {@link dev.kairos.rules.learn.Features}, exploring within a bound and logging the
 * chosen value's propensity.
 */
package dev.kairos.rules.learn;
