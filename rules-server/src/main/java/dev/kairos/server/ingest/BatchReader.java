package dev.kairos.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.rules.input.DecideRequestReader;
import dev.kairos.rules.input.InvalidInputException;
import dev.kairos.service.api.ApiException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Validates an ingest batch item by item: good items become canonical records keyed by user, bad
 * ones become rejections naming the item, the field and the reason. The envelope itself
 * ({@code {"sentAt": ..., "batch": [...]}}) must be valid, or the whole request is a 400.
 */
final class BatchReader {
    /**
     * A valid item: its user key, id for de-duplication and canonical JSON. The id is an event's
     * {@code eventId} or an outcome's {@code outcomeId}, or for an outcome without one a name-based
     * UUID of its {@code decisionId/placement/type} ({@link #outcomeKey}).
     */
    record Item(int index, String key, UUID id, byte[] value) {}

    /** An invalid item. */
    record Rejection(int index, String code, String message, String field) {}

    record Batch(List<Item> items, List<Rejection> rejected) {}

    private static final Pattern PLACEMENT = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");
    private static final Duration MAX_FUTURE = Duration.ofHours(24);

    private final ObjectMapper json;
    private final IngestConfig config;
    private final DecideRequestReader contexts = new DecideRequestReader();

    BatchReader(ObjectMapper json, IngestConfig config) {
        this.json = json;
        this.config = config;
    }

    static JsonNode envelope(JsonNode body, int maxBatch) {
        if (body == null || !body.isObject()) throw ApiException.badRequest("invalid_type", "the body must be {\"batch\": [...]}", null);
        JsonNode batch = body.get("batch");
        if (batch == null || batch.isNull()) throw ApiException.badRequest("missing_field", "batch is required: an array of items", "batch");
        if (!batch.isArray()) throw ApiException.badRequest("invalid_type", "batch must be an array", "batch");
        if (batch.size() > maxBatch) {
            throw ApiException.badRequest("too_many", "at most " + maxBatch + " items per batch, got " + batch.size(), "batch");
        }
        JsonNode sentAt = body.get("sentAt");
        if (sentAt != null && !sentAt.isNull()) {
            try {
                Instant.parse(sentAt.asText());
            } catch (DateTimeException e) {
                throw ApiException.badRequest("invalid_value", "sentAt must be an ISO-8601 instant", "sentAt");
            }
        }
        return batch;
    }

    /** Reads a batch of events; {@code keyOf} maps (userId, anonymousId) to the partition key. */
    Batch events(JsonNode body, Instant now, java.util.function.BiFunction<String, String, String> keyOf) {
        JsonNode batch = envelope(body, config.maxBatch());
        List<Item> items = new ArrayList<>(batch.size());
        List<Rejection> rejected = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            String p = "batch[" + i + "].";
            try {
                JsonNode e = batch.get(i);
                if (!e.isObject()) throw new InvalidInputException("batch[" + i + "]", "invalid_type", "each event must be an object");
                UUID eventId = uuid(e, p + "eventId");
                String type = requiredText(e, "type", p);
                Map<String, String> required = EventTypes.REQUIRED.get(type);
                if (required == null) {
                    throw new InvalidInputException(p + "type", "invalid_value", "unknown event type '" + type + "'; see docs/events.md");
                }
                String userId = optText(e, "userId", p);
                String anonymousId = optText(e, "anonymousId", p);
                if (userId == null && anonymousId == null) throw new InvalidInputException(p + "userId", "missing_field", "userId or anonymousId is required");
                if (type.equals("identify") && (userId == null || anonymousId == null)) {
                    throw new InvalidInputException(p + "userId", "missing_field", "identify needs both userId and anonymousId");
                }
                String sessionId = optText(e, "sessionId", p);
                String timestamp = timestamp(e, p, now);
                JsonNode props = properties(e.get("properties"), type, required, p);
                JsonNode context = e.get("context");
                if (context != null && !context.isNull()) contexts.readContext(context, p, now, new ArrayList<>());
                ObjectNode out = json.createObjectNode();
                out.put("schemaVersion", EventTypes.SCHEMA_VERSION);
                out.put("eventId", eventId.toString());
                out.put("type", type);
                if (userId != null) out.put("userId", userId);
                if (anonymousId != null) out.put("anonymousId", anonymousId);
                if (sessionId != null) out.put("sessionId", sessionId);
                out.put("timestamp", timestamp);
                out.put("receivedAt", now.toEpochMilli());
                out.set("properties", props);
                if (context != null && !context.isNull()) out.set("context", context);
                byte[] bytes = bytes(out);
                if (bytes.length > config.maxEventBytes()) {
                    throw new InvalidInputException("batch[" + i + "]", "too_large", "event is " + bytes.length + " bytes; the limit is " + config.maxEventBytes());
                }
                items.add(new Item(i, keyOf.apply(userId, anonymousId), eventId, bytes));
            } catch (InvalidInputException ex) {
                rejected.add(new Rejection(i, ex.code(), ex.getMessage(), ex.field()));
            }
        }
        return new Batch(items, rejected);
    }

    /** Reads a batch of outcomes (impression, click, dismiss, conversion of a decision's placement). */
    Batch outcomes(JsonNode body, Instant now, java.util.function.BiFunction<String, String, String> keyOf) {
        JsonNode batch = envelope(body, config.maxBatch());
        List<Item> items = new ArrayList<>(batch.size());
        List<Rejection> rejected = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            String p = "batch[" + i + "].";
            try {
                JsonNode o = batch.get(i);
                if (!o.isObject()) throw new InvalidInputException("batch[" + i + "]", "invalid_type", "each outcome must be an object");
                String decisionId = requiredText(o, "decisionId", p);
                String placement = requiredText(o, "placement", p);
                if (!PLACEMENT.matcher(placement).matches()) throw new InvalidInputException(p + "placement", "invalid_value", "placement must be 1-64 letters, digits, '_', '-' or '.'");
                String type = requiredText(o, "type", p);
                if (!EventTypes.OUTCOMES.contains(type)) {
                    throw new InvalidInputException(p + "type", "invalid_value", "type must be one of impression, click, dismiss, conversion");
                }
                String userId = optText(o, "userId", p);
                String anonymousId = optText(o, "anonymousId", p);
                if (userId == null && anonymousId == null) throw new InvalidInputException(p + "userId", "missing_field", "userId or anonymousId is required");
                UUID outcomeId = o.hasNonNull("outcomeId") ? uuid(o, p + "outcomeId") : null;
                JsonNode value = o.get("value");
                if (value != null && !value.isNull() && !value.isNumber()) throw new InvalidInputException(p + "value", "invalid_type", "value must be a number");
                ObjectNode out = json.createObjectNode();
                out.put("schemaVersion", EventTypes.SCHEMA_VERSION);
                if (outcomeId != null) out.put("outcomeId", outcomeId.toString());
                out.put("decisionId", decisionId);
                out.put("placement", placement);
                out.put("type", type);
                if (userId != null) out.put("userId", userId);
                if (anonymousId != null) out.put("anonymousId", anonymousId);
                String rule = optText(o, "rule", p);
                if (rule != null) out.put("rule", rule);
                if (value != null && value.isNumber()) out.put("value", value.asDouble());
                out.put("timestamp", timestamp(o, p, now));
                out.put("receivedAt", now.toEpochMilli());
                UUID id = outcomeId != null ? outcomeId : outcomeKey(decisionId, placement, type);
                items.add(new Item(i, keyOf.apply(userId, anonymousId), id, bytes(out)));
            } catch (InvalidInputException ex) {
                rejected.add(new Rejection(i, ex.code(), ex.getMessage(), ex.field()));
            }
        }
        return new Batch(items, rejected);
    }

    /** The de-duplication id of an outcome without an {@code outcomeId}: one outcome of a type per decision and placement. */
    static UUID outcomeKey(String decisionId, String placement, String type) {
        return UUID.nameUUIDFromBytes(("outcome/" + decisionId + "/" + placement + "/" + type).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private byte[] bytes(ObjectNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The UUID at {@code path}; written back in its canonical lower-case form. */
    private static UUID uuid(JsonNode e, String path) {
        JsonNode v = e.get(path.substring(path.lastIndexOf('.') + 1));
        if (v == null || v.isNull()) throw new InvalidInputException(path, "missing_field", path + " is required (a UUID the client generates, so retries are de-duplicated)");
        if (!v.isTextual()) throw new InvalidInputException(path, "invalid_type", path + " must be a UUID string");
        String s = v.asText();
        try {
            if (s.length() == 36) return UUID.fromString(s);
        } catch (IllegalArgumentException ignored) {
            // fall through to the error below
        }
        throw new InvalidInputException(path, "invalid_value", path + " must be a UUID such as 9b2c6f4e-1d2a-4c3b-8e7f-0a1b2c3d4e5f");
    }

    private static String requiredText(JsonNode e, String field, String p) {
        String s = optText(e, field, p);
        if (s == null) throw new InvalidInputException(p + field, "missing_field", p + field + " is required");
        return s;
    }

    private static String optText(JsonNode e, String field, String p) {
        JsonNode v = e.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw new InvalidInputException(p + field, "invalid_type", p + field + " must be a string");
        String s = v.asText().strip();
        if (s.length() > DecideRequestReader.MAX_ID_LENGTH) throw new InvalidInputException(p + field, "too_long", p + field + " must be at most 256 characters");
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                throw new InvalidInputException(p + field, "invalid_value", p + field + " must not contain control characters (such as NUL)");
            }
        }
        return s.isEmpty() ? null : s;
    }

    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

    private static String timestamp(JsonNode e, String p, Instant now) {
        JsonNode v = e.get("timestamp");
        if (v == null || v.isNull()) return now.toString();
        try {
            Instant t = Instant.parse(v.asText());
            if (t.isAfter(now.plus(MAX_FUTURE))) throw new InvalidInputException(p + "timestamp", "out_of_range", p + "timestamp is more than 24 h in the future");
            if (t.isBefore(EARLIEST)) throw new InvalidInputException(p + "timestamp", "out_of_range", p + "timestamp is before 2000-01-01");
            return t.toString();
        } catch (DateTimeException ex) {
            throw new InvalidInputException(p + "timestamp", "invalid_value", p + "timestamp must be an ISO-8601 instant such as 2026-11-23T18:30:00Z");
        }
    }

    private JsonNode properties(JsonNode props, String type, Map<String, String> required, String p) {
        if (props == null || props.isNull()) props = json.createObjectNode();
        if (!props.isObject()) throw new InvalidInputException(p + "properties", "invalid_type", p + "properties must be an object");
        if (props.size() > 50) throw new InvalidInputException(p + "properties", "too_many", p + "properties must have at most 50 fields");
        for (Map.Entry<String, String> r : required.entrySet()) {
            if (!props.hasNonNull(r.getKey())) {
                throw new InvalidInputException(p + "properties." + r.getKey(), "missing_field", type + " events need properties." + r.getKey());
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String want = required.getOrDefault(f.getKey(), EventTypes.KNOWN_OPTIONAL.get(f.getKey()));
            if (want != null && !f.getValue().isNull() && !hasType(f.getValue(), want)) {
                throw new InvalidInputException(p + "properties." + f.getKey(), "invalid_type", p + "properties." + f.getKey() + " must be a " + want);
            }
        }
        if (type.equals("scroll")) {
            if (!props.hasNonNull("depth") && !props.hasNonNull("depthPx")) {
                throw new InvalidInputException(p + "properties.depth", "missing_field", "scroll events need properties.depth (0..1) or properties.depthPx");
            }
            range(props, "depth", 0, 1, p);
            range(props, "depthPx", 0, 1e7, p);
            range(props, "velocity", 0, 1e7, p);
        }
        range(props, "quantity", 1, 10_000, p);
        return props;
    }

    private static void range(JsonNode props, String field, double min, double max, String p) {
        JsonNode v = props.get(field);
        if (v != null && v.isNumber() && (v.asDouble() < min || v.asDouble() > max)) {
            throw new InvalidInputException(p + "properties." + field, "out_of_range", p + "properties." + field + " must be between " + fmt(min) + " and " + fmt(max));
        }
    }

    private static String fmt(double d) { return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d); }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "string" -> v.isTextual();
            case "number" -> v.isNumber();
            case "integer" -> v.isIntegralNumber();
            case "boolean" -> v.isBoolean();
            default -> true;
        };
    }

}
