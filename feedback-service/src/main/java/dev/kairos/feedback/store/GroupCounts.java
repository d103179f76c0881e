package dev.kairos.feedback.store;

/**
 * Outcome counts of one group in a time window: events by type, and distinct users who saw
 * triggered content ({@code usersImpressed}) and who engaged with it ({@code usersEngaged}: a click or
 * a conversion).
 */
public record GroupCounts(String group, long impressions, long clicks, long dismisses, long conversions,
                          long usersImpressed, long usersEngaged) {}
