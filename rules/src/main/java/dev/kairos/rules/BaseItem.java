package dev.kairos.rules;

import java.util.Map;
import java.util.Objects;

/**
 * A Tier-1 recommendation: content the base layer proposes for a placement to everyone (or to one
 * segment), before any behavioural rule. Base items come from the configured feed (a file or URL
 * refreshed on a schedule, {@code source == "feed"}) and from what users of the same segment
 * clicked most ({@code source == "popular"}); one fact per item for each requested placement.
 *
 * <p>When no rule adapts a placement, the best base item for the user (their segment's before
 * everyone's, then by {@code score}) fills it before the pack default, and the decision names the
 * layer {@code tier1}. A rule can also take a base item and enhance it:
 *
 * <pre>$p : Placement( name == "home_banner" )
 *$b : BaseItem( placement == "home_banner", rank == 1 )
 *Signals( intentScore &gt; 0.8 )
 *then
 *    adapt($p).fromBase($b).tone("urgent");</pre>
 *
 * {@code rank} is the item's position (1 = best) among the items of its placement and segment.
 */
public final class BaseItem {
    /** {@link #getSource()} of items from the configured feed. */
    public static final String FEED = "feed";
    /** {@link #getSource()} of items computed from outcomes ("popular with similar users"). */
    public static final String POPULAR = "popular";

    private final String placement;
    private final String contentId;
    private final String tone;
    private final String format;
    private final String cta;
    private final String segment;
    private final String source;
    private final double score;
    private final int rank;
    private final Map<String, String> params;

    public BaseItem(String placement, String contentId, String tone, String format, String cta, String segment,
                    String source, double score, int rank, Map<String, String> params) {
        if (placement == null || placement.isBlank()) throw new IllegalArgumentException("placement must not be blank");
        if (contentId == null || contentId.isBlank()) throw new IllegalArgumentException("content must not be blank");
        this.placement = placement;
        this.contentId = contentId;
        this.tone = tone;
        this.format = format;
        this.cta = cta;
        this.segment = segment == null || segment.isBlank() ? null : segment;
        this.source = source == null ? FEED : source;
        this.score = score;
        this.rank = rank;
        this.params = params == null ? Map.of() : Map.copyOf(params);
    }

    /** The same item at position {@code rank} of its placement and segment. */
    public BaseItem ranked(int rank) {
        return new BaseItem(placement, contentId, tone, format, cta, segment, source, score, rank, params);
    }

    public String getPlacement() { return placement; }
    /** Content id in the app's content store. */
    public String getContentId() { return contentId; }
    public String getTone() { return tone; }
    public String getFormat() { return format; }
    public String getCta() { return cta; }
    /** The segment the item is for; {@code null} for everyone. */
    public String getSegment() { return segment; }
    /** {@code feed} or {@code popular}. */
    public String getSource() { return source; }
    /** Higher is better: the feed's score, or the smoothed click rate of a popular item. */
    public double getScore() { return score; }
    /** Position among the items of the same placement and segment, 1 = best. */
    public int getRank() { return rank; }
    /** Template parameters the feed gives the content. */
    public Map<String, String> getParams() { return params; }

    @Override public boolean equals(Object o) {
        return o instanceof BaseItem b && placement.equals(b.placement) && contentId.equals(b.contentId) && Objects.equals(tone, b.tone)
                && Objects.equals(format, b.format) && Objects.equals(cta, b.cta) && Objects.equals(segment, b.segment)
                && source.equals(b.source) && Double.compare(score, b.score) == 0 && rank == b.rank && params.equals(b.params);
    }
    @Override public int hashCode() { return Objects.hash(placement, contentId, segment, source, rank); }
    @Override public String toString() {
        return "BaseItem{" + placement + (segment == null ? "" : "/" + segment) + " #" + rank + ": " + contentId + " (" + source + ")}";
    }
}
