package dev.kairos.feedback.base;

import dev.kairos.feedback.store.FeedbackStore;
import dev.kairos.service.api.ApiException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/base/popular?days=7&minImpressions=20&limit=5} (admin key or marketer account):
 * the Tier-1 base layer's "popular with similar users" list, computed from what was shown and
 * engaged with. Per placement, the content with the best smoothed click rate over the last
 * {@code days}, once for everyone and once per segment ("similar users" are users in the same
 * segment); content shown fewer than {@code minImpressions} times is left out. rules-server fetches
 * this on its base-layer schedule (docs/rules-guide.md#the-tier-1-base-layer).
 *
 * <p>Score: {@code (engaged + 1) / (shown + 20)}, a click rate pulled towards 5 % so a handful of
 * lucky impressions does not top the list.
 */
@Tag(name = "Base layer", description = "The Tier-1 base layer's popular items (docs/api.md#get-v1basepopular)")
@Controller("/v1/base")
@ExecuteOn(TaskExecutors.BLOCKING)
public class PopularController {
    /** The prior of the smoothed click rate: one engagement in twenty impressions. */
    static final double PRIOR_ENGAGED = 1, PRIOR_SHOWN = 20;

    private final FeedbackStore store;

    public PopularController(FeedbackStore store) {
        this.store = store;
    }

    /** One popular item. */
    public record Item(String placement, String segment, String content, double score, long shown, long engaged) {}

    /** The list, newest computation. */
    public record Popular(Instant since, int days, long minImpressions, List<Item> items) {}

    @Operation(summary = "Content most engaged with per placement and segment (the base layer's popular items)")
    @Get(uri = "/popular", produces = MediaType.APPLICATION_JSON)
    public Popular popular(@Nullable @QueryValue Integer days, @Nullable @QueryValue Long minImpressions, @Nullable @QueryValue Integer limit) {
        int d = days == null ? 7 : days;
        long min = minImpressions == null ? 20 : minImpressions;
        int top = limit == null ? 5 : limit;
        if (d < 1 || d > 90) throw ApiException.badRequest("invalid_parameter", "days must be between 1 and 90", "days");
        if (min < 1 || min > 1_000_000) throw ApiException.badRequest("invalid_parameter", "minImpressions must be between 1 and 1000000", "minImpressions");
        if (top < 1 || top > 50) throw ApiException.badRequest("invalid_parameter", "limit must be between 1 and 50", "limit");
        Instant since = Instant.now().minus(Duration.ofDays(d));
        Map<String, List<Item>> groups = new LinkedHashMap<>();
        for (FeedbackStore.ContentCounts c : store.contentCounts(since.toEpochMilli(), min)) {
            double score = (c.engaged() + PRIOR_ENGAGED) / (c.shown() + PRIOR_SHOWN);
            groups.computeIfAbsent(c.placement() + "\u0000" + c.segment(), k -> new ArrayList<>())
                    .add(new Item(c.placement(), c.segment(), c.contentId(), Math.round(score * 1e6) / 1e6, c.shown(), c.engaged()));
        }
        List<Item> items = new ArrayList<>();
        for (List<Item> g : groups.values()) {
            g.sort(Comparator.comparingDouble(Item::score).reversed().thenComparing(Item::content));
            items.addAll(g.subList(0, Math.min(top, g.size())));
        }
        return new Popular(since, d, min, items);
    }
}
