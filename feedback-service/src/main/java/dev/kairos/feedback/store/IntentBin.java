package dev.kairos.feedback.store;

/**
 * Decision placements that were shown (an impression in the window), in one group and one intent
 * score bin ({@code bin / bins} to {@code (bin + 1) / bins}): how many, how many were engaged with
 * (click or conversion), how many carried triggered (non-fallback) content, and how many of those
 * ended in friction (dismissed without a click or conversion).
 */
public record IntentBin(String group, int bin, long shown, long engaged, long triggered, long friction) {}
