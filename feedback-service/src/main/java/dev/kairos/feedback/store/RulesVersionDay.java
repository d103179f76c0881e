package dev.kairos.feedback.store;

/**
 * Decisions taken with one rules version on one UTC day, split by whether they were canary traffic.
 *
 * @param rulesVersion the decision's rules version, {@link GroupBy#NONE} when it logged none
 * @param canary       whether these decisions were served by the canary version
 * @param day          start of the UTC day, epoch ms
 * @param decisions    how many decisions
 */
public record RulesVersionDay(String rulesVersion, boolean canary, long day, long decisions) {}
