package dev.kairos.rules.engine;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.rules.Context;
import dev.kairos.rules.Device;
import dev.kairos.rules.Location;
import dev.kairos.rules.Placement;
import dev.kairos.rules.Profile;
import dev.kairos.rules.Segment;
import dev.kairos.rules.Session;
import dev.kairos.rules.Signals;
import dev.kairos.rules.TimeOfDay;
import dev.kairos.rules.Variant;
import dev.kairos.rules.Weights;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The facts one decision was evaluated on, as JSON, and back: context, fused signals, profile,
 * the request's segments, weights, placements (with their formats) and experiment variants. The
 * decision log keeps them (the {@code facts} object of a decision record) so a candidate pack can
 * be replayed on exactly what the rules saw ({@code ./kairos rules replay}). Version 1:
 *
 * <pre>{"v": 1, "context": {"device": {...}, "location": {...}, "time": "2026-11-23T18:30:00Z", "timezone": "Europe/Berlin",
 *  "session": {...}, "network", "page", "pageType", "locale"},
 *  "signals": {...every signal...}, "profile": {...}, "segments": [{"name", "since"}],
 *  "weights": {"version", "recency", "depth", "conversion", "named": {}},
 *  "placements": [{"name", "formats": []}], "exposures": [{"at", "type", "placement", "rule"}],
 *  "base": [{"placement", "content", "tone", "format", "cta", "segment", "source", "score", "rank", "params": {}}] (when any),
 *  "variants": [{"experiment", "name", "params": {}}]}</pre>
 *
 * Segments the rules derived (built-in segment rules) are not stored: replay derives them again.
 * Reading is lenient about absent fields (defaults as for a decide request) and strict about
 * types; a record that cannot be read throws {@link IllegalArgumentException}.
 */
public final class FactsCodec {
    /** The format version written. */
    public static final int VERSION = 1;

    private FactsCodec() {}

    /** The facts of one evaluation. */
    public record Facts(DecisionInput input, List<Variant> variants) {}

    /** Writes {@code input} and {@code variants} as one JSON object (the current field of {@code g}). */
    public static void write(JsonGenerator g, DecisionInput input, List<Variant> variants) throws IOException {
        g.writeStartObject();
        g.writeNumberField("v", VERSION);
        Context c = input.context();
        g.writeObjectFieldStart("context");
        Device d = c.getDevice();
        g.writeObjectFieldStart("device");
        g.writeStringField("type", d.getType());
        g.writeStringField("os", d.getOs());
        g.writeStringField("osVersion", d.getOsVersion());
        g.writeStringField("model", d.getModel());
        g.writeStringField("appVersion", d.getAppVersion());
        g.writeEndObject();
        Location l = c.getLocation();
        g.writeObjectFieldStart("location");
        if (!Double.isNaN(l.getLat())) g.writeNumberField("lat", l.getLat());
        if (!Double.isNaN(l.getLon())) g.writeNumberField("lon", l.getLon());
        g.writeStringField("placeType", l.getPlaceType());
        g.writeStringField("country", l.getCountry());
        strings(g, "geofences", l.getGeofences());
        g.writeEndObject();
        g.writeStringField("time", c.getTime().getInstant().toString());
        g.writeStringField("timezone", c.getTime().getTimezone());
        Session s = c.getSession();
        g.writeObjectFieldStart("session");
        g.writeStringField("id", s.getId());
        g.writeNumberField("durationSeconds", s.getDurationSeconds());
        g.writeStringField("phase", s.getPhase());
        g.writeEndObject();
        g.writeStringField("network", c.getNetwork());
        g.writeStringField("page", c.getPage());
        g.writeStringField("pageType", c.getPageType());
        g.writeStringField("locale", c.getLocale());
        g.writeEndObject();

        Signals x = input.signals();
        g.writeObjectFieldStart("signals");
        g.writeNumberField("intentScore", x.getIntentScore());
        g.writeNumberField("recency", x.getRecency());
        g.writeNumberField("depth", x.getDepth());
        g.writeNumberField("conversionProbability", x.getConversionProbability());
        if (x.getChurnRisk() != 0) g.writeNumberField("churnRisk", x.getChurnRisk());
        if (x.getBestSendHour() >= 0) g.writeNumberField("bestSendHour", x.getBestSendHour());
        g.writeNumberField("scrollDepth", x.getScrollDepth());
        g.writeNumberField("rapidScrollBursts", x.getRapidScrollBursts());
        g.writeNumberField("dwellSeconds", x.getDwellSeconds());
        g.writeNumberField("pageViews", x.getPageViews());
        g.writeNumberField("productViews", x.getProductViews());
        numbers(g, "productViewsByCategory", x.getProductViewsByCategory());
        numbers(g, "dwellByCategory", x.getDwellByCategory());
        g.writeNumberField("cartItems", x.getCartItems());
        g.writeNumberField("secondsSinceCartAdd", x.getSecondsSinceCartAdd());
        g.writeNumberField("cartHistory", x.getCartHistory());
        g.writeBooleanField("purchasedInSession", x.isPurchasedInSession());
        g.writeNumberField("failedPurchasesInRow", x.getFailedPurchasesInRow());
        g.writeNumberField("adTapRate", x.getAdTapRate());
        g.writeNumberField("tasksCreated", x.getTasksCreated());
        g.writeNumberField("deviation", x.getDeviation());
        g.writeArrayFieldStart("peakHours");
        for (int h : x.getPeakHours()) g.writeNumber(h);
        g.writeEndArray();
        g.writeStringField("lastSearch", x.getLastSearch());
        numbers(g, "custom", x.getCustom());
        g.writeEndObject();

        Profile p = input.profile();
        g.writeObjectFieldStart("profile");
        g.writeBooleanField("known", p.isKnown());
        instant(g, "lastEventAt", p.getLastEventAt());
        instant(g, "lastCartAddAt", p.getLastCartAddAt());
        instant(g, "lastPurchaseAt", p.getLastPurchaseAt());
        instant(g, "lastProductViewAt", p.getLastProductViewAt());
        g.writeNumberField("cartItems", p.getCartItems());
        g.writeNumberField("sessions", p.getSessions());
        instant(g, "now", p.getNow());
        g.writeEndObject();

        g.writeArrayFieldStart("segments");
        for (Segment seg : input.segments()) {
            g.writeStartObject();
            g.writeStringField("name", seg.getName());
            instant(g, "since", seg.getSince());
            g.writeEndObject();
        }
        g.writeEndArray();

        Weights w = input.weights();
        g.writeObjectFieldStart("weights");
        g.writeStringField("version", w.getVersion());
        g.writeNumberField("recency", w.getRecency());
        g.writeNumberField("depth", w.getDepth());
        g.writeNumberField("conversion", w.getConversion());
        numbers(g, "named", w.getNamed());
        g.writeEndObject();

        g.writeArrayFieldStart("placements");
        for (Placement pl : input.placements()) {
            g.writeStartObject();
            g.writeStringField("name", pl.getName());
            strings(g, "formats", pl.getFormats());
            g.writeEndObject();
        }
        g.writeEndArray();

        g.writeStringField("exposuresAt", input.exposures().getNow().toString());
        g.writeArrayFieldStart("exposures");
        for (dev.kairos.rules.Exposures.Exposure e : input.exposures().getItems()) {
            g.writeStartObject();
            g.writeStringField("at", e.at().toString());
            g.writeStringField("type", e.type());
            g.writeStringField("placement", e.placement());
            g.writeStringField("rule", e.rule());
            g.writeEndObject();
        }
        g.writeEndArray();

        if (!input.base().isEmpty()) {
            g.writeArrayFieldStart("base");
            for (dev.kairos.rules.BaseItem bi : input.base()) {
                g.writeStartObject();
                g.writeStringField("placement", bi.getPlacement());
                g.writeStringField("content", bi.getContentId());
                g.writeStringField("tone", bi.getTone());
                g.writeStringField("format", bi.getFormat());
                g.writeStringField("cta", bi.getCta());
                g.writeStringField("segment", bi.getSegment());
                g.writeStringField("source", bi.getSource());
                g.writeNumberField("score", bi.getScore());
                g.writeNumberField("rank", bi.getRank());
                g.writeObjectFieldStart("params");
                for (Map.Entry<String, String> e : bi.getParams().entrySet()) g.writeStringField(e.getKey(), e.getValue());
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
        }

        g.writeArrayFieldStart("variants");
        for (Variant v : variants) {
            g.writeStartObject();
            g.writeStringField("experiment", v.getExperiment());
            g.writeStringField("name", v.getName());
            g.writeObjectFieldStart("params");
            for (Map.Entry<String, String> e : v.getParams().entrySet()) g.writeStringField(e.getKey(), e.getValue());
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** Reads facts written by {@link #write}. */
    public static Facts read(JsonNode n) {
        if (n == null || !n.isObject()) throw new IllegalArgumentException("facts must be an object");
        int v = n.path("v").asInt(0);
        if (v != VERSION) throw new IllegalArgumentException("facts version " + v + " is not known (this reads " + VERSION + ")");
        JsonNode c = n.path("context");
        JsonNode d = c.path("device");
        Device device = new Device(text(d, "type"), text(d, "os"), text(d, "osVersion"), text(d, "model"), text(d, "appVersion"));
        JsonNode l = c.path("location");
        Location location = new Location(l.path("lat").asDouble(Double.NaN), l.path("lon").asDouble(Double.NaN), text(l, "placeType"),
                stringSet(l.path("geofences")), text(l, "country"));
        Instant time = Instant.parse(c.path("time").asText());
        TimeOfDay tod = TimeOfDay.of(time, ZoneId.of(c.path("timezone").asText("UTC")));
        JsonNode s = c.path("session");
        Session session = new Session(text(s, "id"), s.path("durationSeconds").asLong(-1), text(s, "phase"));
        Context context = new Context(device, location, tod, session, text(c, "network"), text(c, "page"), text(c, "pageType"), text(c, "locale"));

        JsonNode x = n.path("signals");
        Signals.Builder b = Signals.builder()
                .recency(x.path("recency").asDouble()).depth(x.path("depth").asDouble())
                .conversionProbability(x.path("conversionProbability").asDouble()).scrollDepth(x.path("scrollDepth").asDouble())
                .churnRisk(x.path("churnRisk").asDouble(0)).bestSendHour(x.path("bestSendHour").asInt(-1))
                .rapidScrollBursts(x.path("rapidScrollBursts").asInt()).dwellSeconds(x.path("dwellSeconds").asDouble())
                .pageViews(x.path("pageViews").asInt()).productViews(x.path("productViews").asInt())
                .productViewsByCategory(intMap(x.path("productViewsByCategory"))).dwellByCategory(doubleMap(x.path("dwellByCategory")))
                .cartItems(x.path("cartItems").asInt()).secondsSinceCartAdd(x.path("secondsSinceCartAdd").asLong(-1))
                .cartHistory(x.path("cartHistory").asInt()).purchasedInSession(x.path("purchasedInSession").asBoolean())
                .failedPurchasesInRow(x.path("failedPurchasesInRow").asInt()).adTapRate(x.path("adTapRate").asDouble())
                .tasksCreated(x.path("tasksCreated").asInt()).deviation(x.path("deviation").asDouble())
                .lastSearch(x.path("lastSearch").asText("")).custom(doubleMap(x.path("custom")));
        List<Integer> peaks = new ArrayList<>();
        x.path("peakHours").forEach(h -> peaks.add(h.asInt()));
        b.peakHours(peaks);
        if (x.has("intentScore")) b.intentScore(x.path("intentScore").asDouble());

        JsonNode wn = n.path("weights");
        Weights weights = new Weights(wn.path("version").asText("default"), wn.path("recency").asDouble(0.4), wn.path("depth").asDouble(0.3),
                wn.path("conversion").asDouble(0.3), doubleMap(wn.path("named")));

        JsonNode p = n.path("profile");
        Profile profile = new Profile(p.path("known").asBoolean(), instant(p, "lastEventAt"), instant(p, "lastCartAddAt"),
                instant(p, "lastPurchaseAt"), instant(p, "lastProductViewAt"), p.path("cartItems").asInt(), p.path("sessions").asInt(),
                p.hasNonNull("now") ? instant(p, "now") : time);

        List<Segment> segments = new ArrayList<>();
        n.path("segments").forEach(seg -> segments.add(new Segment(seg.path("name").asText(), instant(seg, "since"))));
        List<Placement> placements = new ArrayList<>();
        n.path("placements").forEach(pl -> placements.add(new Placement(pl.path("name").asText(), stringSet(pl.path("formats")))));
        if (placements.isEmpty()) throw new IllegalArgumentException("facts without placements");
        List<Variant> variants = new ArrayList<>();
        n.path("variants").forEach(v2 -> {
            Map<String, String> params = new LinkedHashMap<>();
            v2.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            variants.add(new Variant(v2.path("experiment").asText(), v2.path("name").asText(), params));
        });
        List<dev.kairos.rules.Exposures.Exposure> exposures = new ArrayList<>();
        n.path("exposures").forEach(e -> exposures.add(new dev.kairos.rules.Exposures.Exposure(Instant.parse(e.path("at").asText()),
                e.path("type").asText(), text(e, "placement"), text(e, "rule"))));
        List<dev.kairos.rules.BaseItem> base = new ArrayList<>();
        n.path("base").forEach(bi -> {
            Map<String, String> params = new LinkedHashMap<>();
            bi.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            base.add(new dev.kairos.rules.BaseItem(bi.path("placement").asText(), bi.path("content").asText(), text(bi, "tone"),
                    text(bi, "format"), text(bi, "cta"), text(bi, "segment"), text(bi, "source"), bi.path("score").asDouble(),
                    bi.path("rank").asInt(), params));
        });
        return new Facts(new DecisionInput(context, b.build(weights), profile, segments, weights, placements,
                new dev.kairos.rules.Exposures(exposures, exposuresAt(n, time)), base), variants);
    }

    private static Instant exposuresAt(JsonNode n, Instant fallback) {
        JsonNode v = n.get("exposuresAt");
        return v == null || v.isNull() ? fallback : Instant.parse(v.asText());
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant instant(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : Instant.parse(v.asText());
    }

    private static void instant(JsonGenerator g, String field, Instant value) throws IOException {
        if (value == null) g.writeNullField(field);
        else g.writeStringField(field, value.toString());
    }

    private static void strings(JsonGenerator g, String field, Set<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }

    private static void numbers(JsonGenerator g, String field, Map<String, ? extends Number> values) throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, ? extends Number> e : values.entrySet()) {
            if (e.getValue() instanceof Integer i) g.writeNumberField(e.getKey(), i);
            else g.writeNumberField(e.getKey(), e.getValue().doubleValue());
        }
        g.writeEndObject();
    }

    private static Set<String> stringSet(JsonNode n) {
        Set<String> out = new LinkedHashSet<>();
        n.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static Map<String, Integer> intMap(JsonNode n) {
        Map<String, Integer> out = new HashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asInt()));
        return out;
    }

    private static Map<String, Double> doubleMap(JsonNode n) {
        Map<String, Double> out = new HashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asDouble()));
        return out;
    }
}
