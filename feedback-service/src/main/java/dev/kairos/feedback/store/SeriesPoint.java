package dev.kairos.feedback.store;

/** Outcome counts of one group in one time bucket starting at {@code bucketStart} (epoch ms). */
public record SeriesPoint(String group, long bucketStart, long impressions, long clicks, long dismisses, long conversions) {}
