package dev.kairos.rules.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kairos.rules.BaseItem;
import dev.kairos.rules.Placement;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Tier-1 base layer at one moment: the base items by placement, ranked within their placement
 * and segment. Built from a feed ({@link #parseFeed}) and the popular items computed from outcomes,
 * merged by {@link #of}; immutable, so a refresher swaps in a new one while decisions read the old.
 *
 * <p>Feed format (JSON or YAML):
 * <pre>{"items": [{"placement": "home_banner", "content": "spring-sale", "tone": "casual", "format": "banner",
 *             "cta": "Shop the sale", "segment": null, "score": 0.9, "params": {"discount": "10%"}}]}</pre>
 * {@code placement} and {@code content} are required; {@code score} defaults to the item's order
 * (earlier is better); unknown fields are errors, so a typo does not silently drop a setting.
 */
public final class BaseLayer {
    /** No base items. */
    public static final BaseLayer EMPTY = new BaseLayer(Map.of());
    /** Most items kept per placement and segment. */
    public static final int DEFAULT_MAX_PER_SEGMENT = 5;
    /** Most items a feed may hold. */
    public static final int MAX_FEED_ITEMS = 10_000;

    private static final Set<String> FIELDS = Set.of("placement", "content", "contentId", "tone", "format", "cta", "segment", "score", "params");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Best first within one placement and segment: the feed's (editorial) items before popular ones, then score, then content id. */
    static final Comparator<BaseItem> BEST = Comparator.comparing((BaseItem i) -> !BaseItem.FEED.equals(i.getSource()))
            .thenComparing(Comparator.comparingDouble(BaseItem::getScore).reversed()).thenComparing(BaseItem::getContentId);

    /**
     * The base item that fills {@code placement} for a user in {@code segments}, or null: items for
     * one of the user's segments before items for everyone, then {@link #BEST}; only items whose
     * format the placement renders.
     */
    public static BaseItem best(Placement placement, List<BaseItem> items, List<String> segments) {
        BaseItem best = null;
        for (BaseItem i : items) {
            if (!i.getPlacement().equals(placement.getName()) || !placement.accepts(i.getFormat())) continue;
            if (i.getSegment() != null && !segments.contains(i.getSegment())) continue;
            if (best == null) { best = i; continue; }
            boolean mine = i.getSegment() != null, bestMine = best.getSegment() != null;
            if (mine != bestMine ? mine : BEST.compare(i, best) < 0) best = i;
        }
        return best;
    }

    private final Map<String, List<BaseItem>> byPlacement;
    private final int size;

    private BaseLayer(Map<String, List<BaseItem>> byPlacement) {
        this.byPlacement = byPlacement;
        int n = 0;
        for (List<BaseItem> l : byPlacement.values()) n += l.size();
        this.size = n;
    }

    /**
     * The layer of {@code items} (feed and popular together): per placement and segment the best
     * {@code maxPerSegment} by score (a content id once per placement and segment, its best entry),
     * ranked 1, 2, ...
     */
    public static BaseLayer of(List<BaseItem> items, int maxPerSegment) {
        if (items.isEmpty()) return EMPTY;
        Map<String, Map<String, List<BaseItem>>> grouped = new LinkedHashMap<>();
        for (BaseItem i : items) {
            grouped.computeIfAbsent(i.getPlacement(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(i.getSegment() == null ? "" : i.getSegment(), k -> new ArrayList<>()).add(i);
        }
        Map<String, List<BaseItem>> byPlacement = new HashMap<>();
        grouped.forEach((placement, bySegment) -> {
            List<BaseItem> out = new ArrayList<>();
            bySegment.forEach((segment, list) -> {
                list.sort(BEST);
                Set<String> seen = new java.util.HashSet<>();
                int rank = 0;
                for (BaseItem i : list) {
                    if (rank >= maxPerSegment) break;
                    if (seen.add(i.getContentId())) out.add(i.ranked(++rank));
                }
            });
            byPlacement.put(placement, List.copyOf(out));
        });
        return new BaseLayer(byPlacement);
    }

    /** The items of {@code placements}, for inserting into one evaluation. */
    public List<BaseItem> forPlacements(List<Placement> placements) {
        if (byPlacement.isEmpty()) return List.of();
        if (placements.size() == 1) return byPlacement.getOrDefault(placements.get(0).getName(), List.of());
        List<BaseItem> out = new ArrayList<>();
        for (Placement p : placements) out.addAll(byPlacement.getOrDefault(p.getName(), List.of()));
        return out;
    }

    /** Every item, by placement. */
    public Map<String, List<BaseItem>> byPlacement() { return byPlacement; }

    /** How many items the layer holds. */
    public int size() { return size; }

    /**
     * The items of a feed document; {@code yaml} for a {@code .yaml}/{@code .yml} file. Throws
     * {@link IllegalArgumentException} naming the item and field that is wrong.
     */
    public static List<BaseItem> parseFeed(byte[] document, boolean yaml) {
        JsonNode root;
        try {
            root = (yaml ? YAML : JSON).readTree(document);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the feed is not valid " + (yaml ? "YAML" : "JSON") + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("the feed cannot be read: " + e.getMessage());
        }
        return parseFeed(root);
    }

    /** The items of a parsed feed document ({@code {"items": [...]}} or a bare list). */
    public static List<BaseItem> parseFeed(JsonNode root) {
        JsonNode items = root != null && root.isObject() ? root.get("items") : root;
        if (root != null && root.isObject()) {
            for (var it = root.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("items")) throw new IllegalArgumentException("unknown field '" + f + "' (a feed has 'items')");
            }
        }
        if (items == null || !items.isArray()) throw new IllegalArgumentException("the feed must have 'items': a list of {placement, content, ...}");
        if (items.size() > MAX_FEED_ITEMS) throw new IllegalArgumentException("the feed has " + items.size() + " items; at most " + MAX_FEED_ITEMS);
        List<BaseItem> out = new ArrayList<>(items.size());
        int n = items.size();
        for (int i = 0; i < n; i++) {
            JsonNode item = items.get(i);
            String where = "items[" + i + "]";
            if (!item.isObject()) throw new IllegalArgumentException(where + " must be an object");
            for (var it = item.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!FIELDS.contains(f)) throw new IllegalArgumentException(where + ": unknown field '" + f + "' (allowed: " + new java.util.TreeSet<>(FIELDS) + ")");
            }
            String content = text(item, item.has("contentId") ? "contentId" : "content", where, true);
            double score = n - i;
            JsonNode s = item.get("score");
            if (s != null && !s.isNull()) {
                if (!s.isNumber() || !Double.isFinite(s.asDouble())) throw new IllegalArgumentException(where + ".score must be a number");
                score = s.asDouble();
            }
            Map<String, String> params = new LinkedHashMap<>();
            JsonNode p = item.get("params");
            if (p != null && !p.isNull()) {
                if (!p.isObject()) throw new IllegalArgumentException(where + ".params must be an object of texts");
                for (var it = p.fields(); it.hasNext(); ) {
                    var e = it.next();
                    if (!e.getValue().isValueNode()) throw new IllegalArgumentException(where + ".params." + e.getKey() + " must be a text");
                    params.put(e.getKey(), e.getValue().asText());
                }
            }
            out.add(new BaseItem(text(item, "placement", where, true), content, text(item, "tone", where, false),
                    text(item, "format", where, false), text(item, "cta", where, false), text(item, "segment", where, false),
                    BaseItem.FEED, score, 0, params));
        }
        return out;
    }

    private static String text(JsonNode item, String field, String where, boolean required) {
        JsonNode v = item.get(field);
        if (v == null || v.isNull()) {
            if (required) throw new IllegalArgumentException(where + "." + field + " is required");
            return null;
        }
        if (!v.isTextual() || (required && v.asText().isBlank())) throw new IllegalArgumentException(where + "." + field + " must be " + (required ? "a non-empty text" : "a text"));
        if (v.asText().length() > 256) throw new IllegalArgumentException(where + "." + field + " is longer than 256 characters");
        return v.asText();
    }

    /** JSON of {@code items} in the feed format (popular items included, with their source). */
    public static JsonNode toJson(List<BaseItem> items) {
        var root = JSON.createObjectNode();
        var list = root.putArray("items");
        for (BaseItem i : items) {
            var n = list.addObject();
            n.put("placement", i.getPlacement());
            n.put("content", i.getContentId());
            if (i.getTone() != null) n.put("tone", i.getTone());
            if (i.getFormat() != null) n.put("format", i.getFormat());
            if (i.getCta() != null) n.put("cta", i.getCta());
            if (i.getSegment() != null) n.put("segment", i.getSegment());
            n.put("source", i.getSource());
            n.put("score", i.getScore());
            n.put("rank", i.getRank());
            if (!i.getParams().isEmpty()) {
                var p = n.putObject("params");
                i.getParams().forEach(p::put);
            }
        }
        return root;
    }
}
