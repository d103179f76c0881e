package dev.kairos.feedback.weights;

/**
 * What one recalibration did. {@code status}: {@code published} (the candidate did not do worse than
 * the version in use on the held-out slice and is now in use), {@code rejected} (it did worse; stored,
 * not published) or {@code skipped} (too little data; nothing stored).
 *
 * @param candidate the fitted version ({@code null} when skipped)
 * @param current   the version in use after this run
 */
public record RecalibrationResult(String status, String reason, WeightsVersion candidate, WeightsVersion current,
                                  long samples, long durationMillis) {}
