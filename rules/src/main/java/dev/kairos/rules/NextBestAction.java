package dev.kairos.rules;

import java.util.Objects;

/**
 * The next best action for this user on one placement: among the values a rule lets Kairos
 * {@code choose(...)} there, the one the learned bandit model expects the most of for this user's
 * context right now ({@code expectedReward}: the predicted click rate). One fact per placement
 * that has a learned choice, whether this decision asks for it or not (so what was learned on the
 * home banner can pick a push message's content); inserted only when a rule of the pack names
 * {@code NextBestAction}. Use it to act on the learning elsewhere, e.g. to pick the content of a
 * message or to prefer a rule only when its content is the one expected to do best.
 *
 * <pre>NextBestAction( placement == "home_banner", value == "winter-sale", expectedReward &gt; 0.05 )
 *$n : NextBestAction( placement == "push" )   then ... .content($n.getValue())</pre>
 */
public final class NextBestAction {
    private final String placement;
    private final String value;
    private final double expectedReward;
    private final String point;
    private final String modelVersion;

    public NextBestAction(String placement, String value, double expectedReward, String point, String modelVersion) {
        this.placement = Objects.requireNonNull(placement, "placement");
        this.value = Objects.requireNonNull(value, "value");
        this.expectedReward = expectedReward;
        this.point = point;
        this.modelVersion = modelVersion;
    }

    /** The placement it is for. */
    public String getPlacement() { return placement; }
    /** The value (content id, CTA, tone…) expected to do best. */
    public String getValue() { return value; }
    /** Its predicted click rate for this user's context. */
    public double getExpectedReward() { return expectedReward; }
    /** The choice point it was learned at (rule name and ordinal, e.g. {@code "Pick#1"}). */
    public String getPoint() { return point; }
    /** The bandit model's version. */
    public String getModelVersion() { return modelVersion; }

    @Override public boolean equals(Object o) {
        return o instanceof NextBestAction n && placement.equals(n.placement) && value.equals(n.value) && expectedReward == n.expectedReward
                && Objects.equals(point, n.point) && Objects.equals(modelVersion, n.modelVersion);
    }
    @Override public int hashCode() { return Objects.hash(placement, value, expectedReward, point, modelVersion); }
    @Override public String toString() { return "NextBestAction{" + placement + ": " + value + " (" + expectedReward + ")}"; }
}
