package dev.kairos.feedback.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.feedback.store.DecisionRow;
import dev.kairos.feedback.store.OutcomeRow;

import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads decision records (as rules-server's decision log writes them, schema version 1) and outcome
 * records (as its outcomes API writes them) into store rows. A record that cannot be read throws
 * {@link IllegalArgumentException}: it is skipped (and counted) rather than blocking the partition.
 * A decision's trigger or choice that cannot be used (unknown channel, oversized, bad propensity)
 * is left out with a warning; the decision itself is kept.
 * Stateless and thread-safe.
 */
public final class RecordReader {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RecordReader.class);
    private static final Set<String> OUTCOME_TYPES = Set.of("impression", "click", "dismiss", "conversion");

    private final ObjectMapper json;

    public RecordReader(ObjectMapper json) {
        this.json = json;
    }

    /**
     * A decision and the cross-channel triggers it emitted; {@code row} is null for a background
     * evaluation ({@code "kind": "background"}: nobody was shown anything, only its triggers count).
     */
    public record Decided(DecisionRow row, List<dev.kairos.feedback.triggers.TriggerStore.TriggerRow> triggers,
                          List<dev.kairos.feedback.learn.BanditStore.ChoiceRow> choices) {
        public Decided(DecisionRow row, List<dev.kairos.feedback.triggers.TriggerStore.TriggerRow> triggers) {
            this(row, triggers, List.of());
        }
    }

    /** The {@code choose(...)} values of the decision's adaptations, with its feature vector. */
    private static List<dev.kairos.feedback.learn.BanditStore.ChoiceRow> choices(JsonNode n, DecisionRow row) {
        JsonNode features = n.get("features");
        if (features == null || !features.isArray() || row == null) return List.of();
        List<dev.kairos.feedback.learn.BanditStore.ChoiceRow> out = new ArrayList<>();
        for (JsonNode a : n.path("adaptations")) {
            for (JsonNode c : a.path("choices")) {
                try {
                    String point = text(c, "point", true);
                    double p = c.path("propensity").asDouble(Double.NaN);
                    if (!(p > 0 && p <= 1)) throw new IllegalArgumentException("choice " + point + ": propensity must be in (0, 1]");
                    if (!c.path("arms").isArray() || c.path("arm").asInt(-1) < 0 || c.path("arm").asInt() >= c.path("arms").size()) {
                        throw new IllegalArgumentException("choice " + point + ": arm must index arms");
                    }
                    out.add(new dev.kairos.feedback.learn.BanditStore.ChoiceRow(row.decisionId(), text(a, "placement", true), point, row.decidedAt(),
                            c.path("arm").asInt(), c.path("arms").toString(), p, c.path("explored").asBoolean(), text(c, "model", false), features.toString()));
                } catch (IllegalArgumentException e) {
                    // the decision is kept; only the choice the bandit cannot learn from is left out
                    LOG.warn("skipped a choice of decision {}: {}", row.decisionId(), e.getMessage());
                }
            }
        }
        return out;
    }

    /** A decision row and its triggers from one decisions-topic record. */
    public Decided decided(byte[] value) {
        JsonNode n = tree(value);
        DecisionRow row = decision(n);
        JsonNode list = n.get("triggers");
        boolean background = "background".equals(n.path("kind").asText());
        List<dev.kairos.feedback.learn.BanditStore.ChoiceRow> choices = background ? List.of() : choices(n, row);
        if (list == null || !list.isArray() || list.isEmpty() || row.userKey() == null) return new Decided(background ? null : row, List.of(), choices);
        List<dev.kairos.feedback.triggers.TriggerStore.TriggerRow> triggers = new ArrayList<>(list.size());
        for (JsonNode t : list) {
            try {
                triggers.add(trigger(t, row));
            } catch (IllegalArgumentException e) {
                // the decision is kept; only the trigger that cannot be delivered as logged is left out
                LOG.warn("skipped a trigger of decision {}: {}", row.decisionId(), e.getMessage());
            }
        }
        return new Decided(background ? null : row, triggers, choices);
    }

    private dev.kairos.feedback.triggers.TriggerStore.TriggerRow trigger(JsonNode t, DecisionRow row) {
        String key = text(t, "idempotencyKey", true);
        if (key.length() > 64) throw new IllegalArgumentException("idempotencyKey is longer than 64 characters");
        var body = json.createObjectNode();
        body.put("idempotencyKey", key);
        body.put("channel", text(t, "channel", true));
        body.put("name", text(t, "name", true));
        body.put("userId", row.userKey());
        body.put("rule", text(t, "rule", false));
        body.put("reason", text(t, "reason", false));
        body.set("params", t.path("params").isObject() ? t.get("params") : json.createObjectNode());
        body.put("decisionId", row.decisionId());
        body.put("decidedAt", Instant.ofEpochMilli(row.decidedAt()).toString());
        String payload = body.toString();
        if (payload.length() > 8000) throw new IllegalArgumentException("trigger " + key + " is larger than 8000 characters");
        if (!java.util.Set.of("email", "sms", "push").contains(body.get("channel").asText())) throw new IllegalArgumentException("unknown channel");
        if (body.get("name").asText().length() > 64) throw new IllegalArgumentException("name is longer than 64 characters");
        long cooldown = t.path("cooldownSeconds").asLong(86_400);
        String receiver = t.path("receiver").isTextual() ? clean(t.get("receiver").asText()) : null;
        if (receiver != null && receiver.length() > 64) throw new IllegalArgumentException("receiver is longer than 64 characters");
        return new dev.kairos.feedback.triggers.TriggerStore.TriggerRow(key, row.decisionId(), row.userKey(), body.get("channel").asText(),
                body.get("name").asText(), body.path("rule").asText(null), payload, row.decidedAt(), java.time.Duration.ofSeconds(Math.max(0, cooldown)),
                receiver);
    }

    /** A decision row from one decisions-topic record. */
    public DecisionRow decision(byte[] value) {
        return decision(tree(value));
    }

    private DecisionRow decision(JsonNode n) {
        String decisionId = text(n, "decisionId", true);
        String userId = text(n, "userId", false);
        String userKey = userId != null ? userId : text(n, "anonymousId", false);
        JsonNode signals = n.path("signals");
        List<String> matched = strings(n.get("matchedRules"));
        List<DecisionRow.PlacementRow> placements = new ArrayList<>();
        JsonNode adaptations = n.get("adaptations");
        if (adaptations != null && adaptations.isArray()) {
            for (JsonNode a : adaptations) {
                String placement = text(a, "placement", true);
                placements.add(new DecisionRow.PlacementRow(placement, text(a, "rule", false), text(a, "contentId", false),
                        a.path("fallback").asBoolean(false)));
            }
        }
        return new DecisionRow(decisionId, instant(n, "timestamp"), userKey, text(n, "sessionId", false),
                text(n, "rulesVersion", false), text(n, "weightsVersion", false), n.path("canary").asBoolean(false),
                text(n, "variant", false), signals.path("intentScore").asDouble(0), signals.path("recency").asDouble(0),
                signals.path("depth").asDouble(0), signals.path("conversionProbability").asDouble(0),
                signals.isObject() ? signals.toString().replace("\\u0000", "") : null, matched, placements, strings(n.get("segments")),
                variants(n), n.path("facts").isObject() ? n.get("facts").toString() : null,
                n.path("fallback").isTextual() ? clean(n.get("fallback").asText()) : null, n.path("latencyMicros").asLong(-1));
    }

    /**
     * The decision's experiment variants: the {@code variants} object when the record has one
     * (rules-server logs it since several experiments may run at once), else the single
     * {@code variant} label ({@code "experiment:variant"}) of older records.
     */
    private static Map<String, String> variants(JsonNode n) {
        JsonNode v = n.get("variants");
        if (v == null || !v.isObject()) return DecisionRow.fromLabel(text(n, "variant", false));
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) throw new IllegalArgumentException("variants." + e.getKey() + " must be a string");
            out.put(clean(e.getKey()), clean(e.getValue().asText()));
        }
        return out;
    }

    /** An outcome row from one outcomes-topic record. */
    public OutcomeRow outcome(byte[] value) {
        JsonNode n = tree(value);
        String decisionId = text(n, "decisionId", true);
        String placement = text(n, "placement", true);
        String type = text(n, "type", true);
        if (!OUTCOME_TYPES.contains(type)) throw new IllegalArgumentException("unknown outcome type " + type);
        String userId = text(n, "userId", false);
        JsonNode v = n.get("value");
        long occurred = instant(n, "timestamp");
        return new OutcomeRow(OutcomeRow.keyOf(text(n, "outcomeId", false), decisionId, placement, type), decisionId, placement,
                type, userId != null ? userId : text(n, "anonymousId", false), text(n, "rule", false),
                v != null && v.isNumber() ? v.asDouble() : null, occurred, n.path("receivedAt").asLong(occurred));
    }

    /** An erasure notice from the signal engine: {@code {"requestId", "keys": [...], "erasedAt": epochMs}}. */
    public ErasureNotice erasure(byte[] value) {
        JsonNode n = tree(value);
        String requestId = text(n, "requestId", true);
        java.util.List<String> keys = new java.util.ArrayList<>();
        for (JsonNode k : n.path("keys")) if (k.isTextual() && !k.asText().isEmpty()) keys.add(k.asText());
        if (keys.isEmpty()) throw new IllegalArgumentException("an erasure without keys");
        return new ErasureNotice(requestId, keys, n.path("erasedAt").asLong(System.currentTimeMillis()));
    }

    /** Users to erase, as the signal engine found them (the user and the anonymous ids merged into it). */
    public record ErasureNotice(String requestId, java.util.List<String> keys, long erasedAt) {}

    private JsonNode tree(byte[] value) {
        if (value == null) throw new IllegalArgumentException("empty record");
        try {
            JsonNode n = json.readTree(value);
            if (n == null || !n.isObject()) throw new IllegalArgumentException("record is not a JSON object");
            return n;
        } catch (IOException e) {
            throw new IllegalArgumentException("record is not JSON", e);
        }
    }

    private static String text(JsonNode n, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) throw new IllegalArgumentException(field + " is missing");
            return null;
        }
        if (!v.isTextual() || (required && v.asText().isBlank())) throw new IllegalArgumentException(field + " must be a string");
        return clean(v.asText());
    }

    /** Without NUL characters, which PostgreSQL refuses in text (the row would be retried forever). */
    static String clean(String s) {
        return s.indexOf('\u0000') < 0 ? s : s.replace("\u0000", "");
    }

    private static long instant(JsonNode n, String field) {
        String t = text(n, field, true);
        Instant at;
        try {
            at = Instant.parse(t);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(field + " is not an ISO-8601 instant");
        }
        if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) throw new IllegalArgumentException(field + " is outside 2000-2100");
        return at.toEpochMilli();
    }

    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("2100-01-01T00:00:00Z");

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null && array.isArray()) {
            for (JsonNode s : array) {
                if (s.isTextual()) out.add(clean(s.asText()));
            }
        }
        return out;
    }
}
