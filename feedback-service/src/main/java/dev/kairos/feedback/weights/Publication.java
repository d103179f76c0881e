package dev.kairos.feedback.weights;

import java.time.Instant;

/** One publication of a weights version to the weights topic: {@code action} is {@code recalibrate} or {@code rollback}. */
public record Publication(long seq, String version, Instant publishedAt, String action) {}
