package dev.kairos.rules.input;

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
import dev.kairos.rules.Weights;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.geo.Geofences;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the decide request body into a {@link DecideRequest}. Pinned shape:
 * <pre>{"userId": "u1", "anonymousId": "a1", "sessionId": "s1", "placements": ["home_banner"],
 * "context": {"device": {"type": "mobile", "os": "ios"},
 *             "location": {"lat": 52.5, "lon": 13.4, "placeType": "restaurant"},
 *             "timezone": "Europe/Berlin", "timestamp": "2026-11-23T18:30:00Z", "page": "/product/42"},
 * "signals": {"intentScore": 0.9}, "segments": ["cart_history"]}</pre>
 * Every field is checked for type and range, and the first problem is thrown as an
 * {@link InvalidInputException} naming the field. Unknown fields at the top level and in
 * {@code context} are ignored and listed in {@link DecideRequest#ignoredFields()}; unknown fields
 * inside nested objects (device, location, session, placement and segment objects) are ignored;
 * unknown numeric signals become custom signals.
 * With {@link Geofences}, coordinates add the names of the geofences they fall in and, when the
 * request sent no place type, the geofence's place type. Stateless and thread-safe.
 */
public final class DecideRequestReader {
    /** At most this many placements per request. */
    public static final int MAX_PLACEMENTS = 20;
    /** At most this many segments per request. */
    public static final int MAX_SEGMENTS = 100;
    /** Longest accepted id or name. */
    public static final int MAX_ID_LENGTH = 256;

    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final Pattern PLACEMENT_NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");
    private static final Set<String> TOP = Set.of("userId", "anonymousId", "sessionId", "placements", "context", "signals", "segments");
    private static final Set<String> CONTEXT = Set.of("device", "location", "timezone", "timestamp", "page", "pageType",
            "locale", "network", "session");

    private final Geofences geofences;

    /** A reader without geofences. */
    public DecideRequestReader() {
        this(Geofences.NONE);
    }

    /** A reader that resolves coordinates to place types and geofence names with {@code geofences}. */
    public DecideRequestReader(Geofences geofences) {
        this.geofences = java.util.Objects.requireNonNull(geofences, "geofences");
    }

    /** Reads {@code body}, using {@code weights} for a computed intent score and {@code now} when no timestamp was sent. */
    public DecideRequest read(JsonNode body, Weights weights, Instant now) {
        return read(body, weights, now, null);
    }

    /**
     * Reads {@code body} on top of what {@code store} knows of the user (may be null, or answer null
     * for an unknown user): the request's signals override the stored ones field by field.
     */
    public DecideRequest read(JsonNode body, Weights weights, Instant now, Function<String, StoredUser> store) {
        if (body == null || !body.isObject()) throw new InvalidInputException("", "invalid_type", "the request body must be a JSON object");
        List<String> ignored = new ArrayList<>();
        unknown(body, TOP, "", ignored);
        String userId = optText(body, "userId", "userId");
        String anonymousId = optText(body, "anonymousId", "anonymousId");
        if (userId == null && anonymousId == null) {
            throw new InvalidInputException("userId", "missing_field", "userId or anonymousId is required");
        }
        String sessionId = optText(body, "sessionId", "sessionId");
        List<Placement> placements = placements(body.get("placements"));
        StoredUser stored = store == null ? null : store.apply(userId != null ? userId : anonymousId);
        Context context = context(body.get("context"), sessionId, now, ignored, true);
        if (stored != null && stored.sessionSeconds() >= 0 && context.getSession().getDurationSeconds() < 0) {
            Session s = context.getSession();
            context = new Context(context.getDevice(), context.getLocation(), context.getTime(),
                    new Session(s.getId(), stored.sessionSeconds(), null), context.getNetwork(), context.getPage(),
                    context.getPageType(), context.getLocale());
        }
        Signals.Builder storedSignals = stored == null ? Signals.builder() : stored.signals();
        if (stored != null) {
            // best send time: the hour of most engagement with what was shown, else the most active hour
            int engaged = stored.exposures().bestEngagementHour(java.time.ZoneId.of(context.getTime().getTimezone()));
            List<Integer> peaks = storedSignals.peakHoursSoFar();
            storedSignals.bestSendHour(engaged >= 0 ? engaged : peaks.isEmpty() ? -1 : peaks.get(0));
        }
        Signals signals = signals(body.get("signals"), weights, storedSignals);
        List<Segment> segments = segments(body.get("segments"));
        Profile profile = stored == null ? Profile.NONE.at(context.getTime().getInstant()) : stored.profile();
        // caps count back from when the decision is made (the request's timestamp may be another time of day)
        dev.kairos.rules.Exposures exposures = (stored == null ? dev.kairos.rules.Exposures.NONE : stored.exposures()).at(now);
        return new DecideRequest(userId, anonymousId, sessionId,
                new DecisionInput(context, signals, profile, segments, weights, placements, exposures), ignored);
    }

    /**
     * Checks a context object of the decide shape (events carry the same one) as decide reads it,
     * without building it (no local time, no geofence lookup): what ingest needs of an event's
     * context, which it stores as sent. Field paths in errors start with {@code prefix}, e.g.
     * {@code batch[3].}.
     */
    public void checkContext(JsonNode node, String prefix, Instant now) {
        try {
            context(node, null, now, new ArrayList<>(), false);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(prefix + e.field(), e.code(), prefix + e.getMessage());
        }
    }

    private static void unknown(JsonNode node, Set<String> known, String prefix, List<String> ignored) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) ignored.add(prefix + f);
        }
    }

    private static List<Placement> placements(JsonNode node) {
        if (node == null || node.isNull()) throw new InvalidInputException("placements", "missing_field", "placements is required: a list of placement names");
        if (!node.isArray()) throw new InvalidInputException("placements", "invalid_type", "placements must be an array");
        if (node.isEmpty()) throw new InvalidInputException("placements", "out_of_range", "placements must name at least one placement");
        if (node.size() > MAX_PLACEMENTS) throw new InvalidInputException("placements", "too_many", "at most " + MAX_PLACEMENTS + " placements per request, got " + node.size());
        Map<String, Placement> byName = new LinkedHashMap<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode p = node.get(i);
            String path = "placements[" + i + "]";
            String name;
            Set<String> formats = Set.of();
            if (p.isTextual()) {
                name = p.asText();
            } else if (p.isObject()) {
                name = requireText(p, "name", path + ".name");
                formats = stringSet(p.get("formats"), path + ".formats", 20);
            } else {
                throw new InvalidInputException(path, "invalid_type", path + " must be a placement name or {\"name\": ..., \"formats\": [...]}");
            }
            if (!PLACEMENT_NAME.matcher(name).matches()) {
                throw new InvalidInputException(path, "invalid_value", path + " must be 1-64 letters, digits, '_', '-' or '.'");
            }
            byName.putIfAbsent(name, new Placement(name, formats));
        }
        return List.copyOf(byName.values());
    }

    /** Reads (or, {@code build} false, only checks and answers null) a context object. */
    private Context context(JsonNode node, String sessionId, Instant now, List<String> ignored, boolean build) {
        if (node == null || node.isNull()) {
            if (!build) return null;
            return new Context(Device.UNKNOWN, Location.UNKNOWN, TimeOfDay.of(now, UTC), new Session(sessionId, -1, null), null, null, null, null);
        }
        if (!node.isObject()) throw new InvalidInputException("context", "invalid_type", "context must be an object");
        unknown(node, CONTEXT, "context.", ignored);
        Device device = Device.UNKNOWN;
        JsonNode d = node.get("device");
        if (d != null && !d.isNull()) {
            requireObject(d, "context.device");
            device = new Device(optText(d, "type", "context.device.type"), optText(d, "os", "context.device.os"),
                    optText(d, "osVersion", "context.device.osVersion"), optText(d, "model", "context.device.model"),
                    optText(d, "appVersion", "context.device.appVersion"));
        }
        Location location = Location.UNKNOWN;
        JsonNode l = node.get("location");
        if (l != null && !l.isNull()) {
            requireObject(l, "context.location");
            double lat = optNumber(l, "lat", "context.location.lat", -90, 90, Double.NaN);
            double lon = optNumber(l, "lon", "context.location.lon", -180, 180, Double.NaN);
            if (Double.isNaN(lat) != Double.isNaN(lon)) {
                throw new InvalidInputException(Double.isNaN(lat) ? "context.location.lat" : "context.location.lon", "missing_field", "lat and lon must be sent together");
            }
            String placeType = optText(l, "placeType", "context.location.placeType");
            Set<String> fences = stringSet(l.get("geofences"), "context.location.geofences", 50);
            if (build && !Double.isNaN(lat) && !geofences.areas().isEmpty()) {
                Geofences.Match m = geofences.match(lat, lon);
                if (placeType == null) placeType = m.placeType();
                if (!m.names().isEmpty()) {
                    fences = new LinkedHashSet<>(fences);
                    fences.addAll(m.names());
                }
            }
            location = new Location(lat, lon, placeType, fences, optText(l, "country", "context.location.country"));
        }
        ZoneId zone = UTC;
        String tz = optText(node, "timezone", "context.timezone");
        if (tz != null) {
            try {
                zone = ZoneId.of(tz);
            } catch (DateTimeException e) {
                throw new InvalidInputException("context.timezone", "invalid_value", "context.timezone must be an IANA time zone such as Europe/Berlin, was '" + tz + "'");
            }
        }
        Instant at = now;
        String ts = optText(node, "timestamp", "context.timestamp");
        if (ts != null) at = instant(ts, "context.timestamp");
        Session session = new Session(sessionId, -1, null);
        JsonNode s = node.get("session");
        if (s != null && !s.isNull()) {
            requireObject(s, "context.session");
            String id = optText(s, "id", "context.session.id");
            long duration = (long) optNumber(s, "durationSeconds", "context.session.durationSeconds", 0, 31_536_000, -1);
            String startedAt = optText(s, "startedAt", "context.session.startedAt");
            if (duration < 0 && startedAt != null) {
                duration = Math.max(0, (at.toEpochMilli() - instant(startedAt, "context.session.startedAt").toEpochMilli()) / 1000);
            }
            session = new Session(id != null ? id : sessionId, duration, optText(s, "phase", "context.session.phase"));
        }
        String network = null;
        JsonNode n = node.get("network");
        if (n != null && !n.isNull()) {
            if (n.isTextual()) network = n.asText();
            else if (n.isObject()) network = optText(n, "type", "context.network.type");
            else throw new InvalidInputException("context.network", "invalid_type", "context.network must be a string or {\"type\": ...}");
        }
        String page = optText(node, "page", "context.page");
        String pageType = optText(node, "pageType", "context.pageType");
        String locale = optText(node, "locale", "context.locale");
        if (!build) return null;
        return new Context(device, location, TimeOfDay.of(at, zone), session, network, page, pageType, locale);
    }

    private static Signals signals(JsonNode node, Weights weights, Signals.Builder b) {
        if (node == null || node.isNull()) return b.build(weights);
        requireObject(node, "signals");
        Map<String, Double> custom = new HashMap<>(b.customSignals());
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = "signals." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isNull()) continue;
            try {
                switch (e.getKey()) {
                    case "intentScore" -> b.intentScore(num(v, path));
                    case "recency" -> b.recency(num(v, path));
                    case "depth" -> b.depth(num(v, path));
                    case "conversionProbability" -> b.conversionProbability(num(v, path));
                    case "churnRisk" -> b.churnRisk(num(v, path));
                    case "bestSendHour" -> b.bestSendHour(integer(v, path));
                    case "scrollDepth" -> b.scrollDepth(num(v, path));
                    case "rapidScrollBursts" -> b.rapidScrollBursts(integer(v, path));
                    case "dwellSeconds" -> b.dwellSeconds(num(v, path));
                    case "pageViews" -> b.pageViews(integer(v, path));
                    case "productViews" -> b.productViews(integer(v, path));
                    case "productViewsByCategory" -> b.productViewsByCategory(intMap(v, path));
                    case "dwellByCategory" -> b.dwellByCategory(nonNegative(numMap(v, path), path));
                    case "cartItems" -> b.cartItems(integer(v, path));
                    case "secondsSinceCartAdd" -> b.secondsSinceCartAdd((long) num(v, path));
                    case "cartHistory" -> b.cartHistory(integer(v, path));
                    case "purchasedInSession" -> b.purchasedInSession(bool(v, path));
                    case "failedPurchasesInRow" -> b.failedPurchasesInRow(integer(v, path));
                    case "adTapRate" -> b.adTapRate(num(v, path));
                    case "tasksCreated" -> b.tasksCreated(integer(v, path));
                    case "deviation" -> b.deviation(num(v, path));
                    case "peakHours" -> b.peakHours(intList(v, path));
                    case "lastSearch" -> b.lastSearch(text(v, path, 512));
                    case "custom" -> custom.putAll(numMap(v, path));
                    default -> {
                        if (!v.isNumber()) {
                            throw new InvalidInputException(path, "invalid_type", path + " is not a known signal, so it must be a number (a custom signal)");
                        }
                        custom.put(e.getKey(), num(v, path));
                    }
                }
            } catch (IllegalArgumentException ex) {
                throw new InvalidInputException(path, "out_of_range", ex.getMessage());
            }
        }
        if (custom.size() > 100) throw new InvalidInputException("signals", "too_many", "at most 100 custom signals");
        b.custom(custom);
        return b.build(weights);
    }

    private static List<Segment> segments(JsonNode node) {
        if (node == null || node.isNull()) return List.of();
        if (!node.isArray()) throw new InvalidInputException("segments", "invalid_type", "segments must be an array of names");
        if (node.size() > MAX_SEGMENTS) throw new InvalidInputException("segments", "too_many", "at most " + MAX_SEGMENTS + " segments");
        List<Segment> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode s = node.get(i);
            String path = "segments[" + i + "]";
            if (s.isTextual()) {
                String segment = text(s, path, 128);
                if (segment.isEmpty()) throw new InvalidInputException(path, "invalid_value", path + " must not be blank");
                out.add(Segment.of(segment));
            } else if (s.isObject()) {
                String since = optText(s, "since", path + ".since");
                Instant at = null;
                if (since != null) at = instant(since, path + ".since");
                String segment = requireText(s, "name", path + ".name");
                if (segment.length() > 128) throw new InvalidInputException(path + ".name", "too_long", path + ".name must be at most 128 characters");
                out.add(new Segment(segment, at));
            } else {
                throw new InvalidInputException(path, "invalid_type", path + " must be a segment name");
            }
        }
        return out;
    }

    // --- typed field helpers -------------------------------------------------------------

    private static void requireObject(JsonNode n, String path) {
        if (!n.isObject()) throw new InvalidInputException(path, "invalid_type", path + " must be an object");
    }

    private static String optText(JsonNode parent, String name, String path) {
        JsonNode v = parent.get(name);
        if (v == null || v.isNull()) return null;
        String s = text(v, path, MAX_ID_LENGTH);
        return s.isEmpty() ? null : s;
    }

    private static String requireText(JsonNode parent, String name, String path) {
        String s = optText(parent, name, path);
        if (s == null) throw new InvalidInputException(path, "missing_field", path + " is required");
        return s;
    }

    private static String text(JsonNode v, String path, int maxLength) {
        if (!v.isTextual()) throw new InvalidInputException(path, "invalid_type", path + " must be a string");
        String s = v.asText();
        if (s.length() > maxLength) throw new InvalidInputException(path, "too_long", path + " must be at most " + maxLength + " characters");
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                throw new InvalidInputException(path, "invalid_value", path + " must not contain control characters (such as NUL)");
            }
        }
        return s.strip();
    }

    /** Earliest and latest instant a request may carry: beyond them clocks are wrong, and local times overflow. */
    public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("2100-01-01T00:00:00Z");

    /** An ISO-8601 instant between {@link #EARLIEST} and {@link #LATEST}. */
    static Instant instant(String text, String path) {
        Instant t;
        try {
            t = IsoInstants.parse(text);
        } catch (DateTimeException e) {
            throw new InvalidInputException(path, "invalid_value", path + " must be an ISO-8601 instant such as 2026-11-23T18:30:00Z");
        }
        if (t.isBefore(EARLIEST) || !t.isBefore(LATEST)) {
            throw new InvalidInputException(path, "out_of_range", path + " must be between 2000-01-01 and 2100-01-01, was " + text);
        }
        return t;
    }

    private static double optNumber(JsonNode parent, String name, String path, double min, double max, double absent) {
        JsonNode v = parent.get(name);
        if (v == null || v.isNull()) return absent;
        double d = num(v, path);
        if (d < min || d > max) throw new InvalidInputException(path, "out_of_range", path + " must be between " + fmt(min) + " and " + fmt(max) + ", was " + fmt(d));
        return d;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static double num(JsonNode v, String path) {
        if (!v.isNumber()) throw new InvalidInputException(path, "invalid_type", path + " must be a number");
        double d = v.asDouble();
        if (!Double.isFinite(d)) throw new InvalidInputException(path, "out_of_range", path + " must be finite");
        return d;
    }

    private static int integer(JsonNode v, String path) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new InvalidInputException(path, "invalid_type", path + " must be an integer");
        return v.asInt();
    }

    private static boolean bool(JsonNode v, String path) {
        if (!v.isBoolean()) throw new InvalidInputException(path, "invalid_type", path + " must be true or false");
        return v.asBoolean();
    }

    private static Set<String> stringSet(JsonNode node, String path, int max) {
        if (node == null || node.isNull()) return Set.of();
        if (!node.isArray()) throw new InvalidInputException(path, "invalid_type", path + " must be an array of strings");
        if (node.size() > max) throw new InvalidInputException(path, "too_many", path + " must have at most " + max + " items");
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) out.add(text(node.get(i), path + "[" + i + "]", 128));
        return out;
    }

    private static List<Integer> intList(JsonNode node, String path) {
        if (!node.isArray()) throw new InvalidInputException(path, "invalid_type", path + " must be an array of hours 0..23");
        if (node.size() > 24) throw new InvalidInputException(path, "too_many", path + " must have at most 24 hours");
        List<Integer> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) out.add(integer(node.get(i), path + "[" + i + "]"));
        return out;
    }

    private static Map<String, Integer> intMap(JsonNode node, String path) {
        Map<String, Integer> out = new HashMap<>();
        eachField(node, path, (e) -> {
            int n = integer(e.getValue(), path + "." + e.getKey());
            if (n < 0) throw new InvalidInputException(path + "." + e.getKey(), "out_of_range", path + "." + e.getKey() + " must be >= 0");
            out.put(e.getKey(), n);
        });
        return out;
    }

    private static Map<String, Double> numMap(JsonNode node, String path) {
        Map<String, Double> out = new HashMap<>();
        eachField(node, path, (e) -> out.put(e.getKey(), num(e.getValue(), path + "." + e.getKey())));
        return out;
    }

    private static Map<String, Double> nonNegative(Map<String, Double> m, String path) {
        m.forEach((k, v) -> {
            if (v < 0) throw new InvalidInputException(path + "." + k, "out_of_range", path + "." + k + " must be >= 0");
        });
        return m;
    }

    private static void eachField(JsonNode node, String path, Consumer<Map.Entry<String, JsonNode>> each) {
        if (!node.isObject()) throw new InvalidInputException(path, "invalid_type", path + " must be an object");
        if (node.size() > 100) throw new InvalidInputException(path, "too_many", path + " must have at most 100 entries");
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) each.accept(it.next());
    }
}
