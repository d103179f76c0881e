package dev.kairos.rules.engine;

/**
 * A rule that adapted a placement in one evaluation, with the numbers that ranked it, and why it
 * lost when it did ({@code null} for the winner).
 */
public record Candidate(String rule, int priority, int salience, boolean fallback, boolean suppressed,
                        String reason, String lostBecause) {}
