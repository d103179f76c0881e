package dev.kairos.server.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.rules.input.DecideRequestReader;
import dev.kairos.rules.input.InvalidInputException;
import dev.kairos.rules.input.IsoInstants;
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

    /** The canonical records' schema version, as written in them. */
    private static final String SCHEMA_VERSION = Integer.toString(EventTypes.SCHEMA_VERSION);
    private static final Pattern PLACEMENT = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");
    private static final Duration MAX_FUTURE = Duration.ofHours(24);

    private final ObjectMapper json;
    private final IngestConfig config;
    private final DecideRequestReader contexts = new DecideRequestReader();
    /** Reads one value of the body as a tree: the body goes on after it, so no check for trailing tokens there. */
    private final com.fasterxml.jackson.databind.ObjectReader nodes;
    /** Whether the mapper refuses anything after the body's JSON value (the server's does: a 400, as for any body). */
    private final boolean nothingAfter;
    /**
     * Whether the mapper refuses a field given twice in an object (the server's does: a 400, as for any body). The
     * parser's own check keeps a set of names per object (9 % of ingest's CPU); this reader checks instead, alike:
     * an envelope's and an event's fields by name as it reads them, any object it reads as a tree by the tree
     * reader ({@code FAIL_ON_READING_DUP_TREE_KEY}); either way a {@code "Duplicate field 'name'"} JSON error.
     */
    private final boolean uniqueNames;

    BatchReader(ObjectMapper json, IngestConfig config) {
        this.json = json;
        this.config = config;
        this.uniqueNames = json.isEnabled(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        com.fasterxml.jackson.databind.ObjectReader reader = json.reader().without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.nodes = uniqueNames ? reader.with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY) : reader;
        this.nothingAfter = json.isEnabled(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** A parser of the body; when names must be unique, this reader checks them rather than the parser ({@link #uniqueNames}). */
    private JsonParser parser(byte[] body) throws IOException {
        JsonParser p = json.createParser(body);
        if (uniqueNames) p.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        return p;
    }

    /** Passes over the value at the parser (still checked to be JSON, and for names given twice when they must be unique). */
    private void skip(JsonParser p) throws IOException {
        if (uniqueNames) tree(p);
        else p.skipChildren();
    }

    /** Refuses {@code name} as given twice in one object, as Jackson's parser does; {@code seen} says whether it was. */
    private void once(JsonParser p, boolean seen, String name) throws IOException {
        if (seen && uniqueNames) throw new com.fasterxml.jackson.core.JsonParseException(p, "Duplicate field '" + name + "'");
    }

    /** Adds a name outside the schema to {@code seen} (made on first use), refusing it if it was there; returns the set. */
    private java.util.Set<String> other(JsonParser p, java.util.Set<String> seen, String name) throws IOException {
        if (!uniqueNames) return seen;
        java.util.Set<String> names = seen != null ? seen : new java.util.HashSet<>();
        once(p, !names.add(name), name);
        return names;
    }

    /**
     * The value at the parser as a tree (JSON null as a null node); the parser is left at the value's last token.
     * Strings, booleans and null are made here, as the tree reader would make them, without its lookup of the tree
     * deserializer per value (a map lookup that was 4 % of ingest's CPU, most values read here being strings).
     */
    private JsonNode tree(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING) return com.fasterxml.jackson.databind.node.TextNode.valueOf(p.getText());
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) return com.fasterxml.jackson.databind.node.BooleanNode.valueOf(t == JsonToken.VALUE_TRUE);
        if (t == JsonToken.VALUE_NULL) return com.fasterxml.jackson.databind.node.NullNode.getInstance();
        JsonNode node = nodes.readTree(p);
        return node == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : node;
    }

    /** Reads one item of the batch; the parser is at the item's first token and must be left at its last. */
    @FunctionalInterface
    private interface ItemReader {
        void read(int index, JsonParser parser) throws IOException;
    }

    /**
     * Walks the body {@code {"sentAt": ..., "batch": [...]}} once, as a stream, handing each item of the batch
     * to {@code each} as it comes: no tree of the whole body. The envelope's errors are thrown once the whole
     * body has been read, so malformed JSON anywhere is {@code invalid_json} first, then, in this order: not an
     * object, no {@code batch}, {@code batch} not an array, too many items, a bad {@code sentAt}. Fields of
     * the envelope other than these two are skipped. A field given twice is a JSON error if the mapper says so
     * ({@link #uniqueNames}); else, with {@code batch} given twice the last one counts.
     *
     * @param restart called when a second {@code batch} array starts, to forget what the first one gave
     */
    private void envelope(byte[] body, int maxBatch, ItemReader each, Runnable restart) throws IOException {
        try (JsonParser p = parser(body)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                if (t != null) { // malformed JSON is invalid_json rather than invalid_type
                    tree(p);
                    nothingAfter(p);
                }
                throw ApiException.badRequest("invalid_type", "the body must be {\"batch\": [...]}", null);
            }
            // What the last "batch" field was: absent (or null), not an array, or an array of count items.
            int count = -1;
            boolean notAnArray = false;
            boolean batchSeen = false;
            boolean sentAtSeen = false;
            java.util.Set<String> others = null;
            JsonNode sentAt = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("batch".equals(name)) {
                    once(p, batchSeen, name);
                    batchSeen = true;
                    if (value == JsonToken.START_ARRAY) {
                        if (count >= 0) restart.run();
                        count = 0;
                        notAnArray = false;
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            // Past the limit the rest is only counted (and checked to be JSON): the request is refused.
                            if (count < maxBatch) each.read(count, p);
                            else tree(p);
                            count++;
                        }
                    } else {
                        tree(p);
                        if (count >= 0) restart.run();
                        count = -1;
                        notAnArray = value != JsonToken.VALUE_NULL;
                    }
                } else if ("sentAt".equals(name)) {
                    once(p, sentAtSeen, name);
                    sentAtSeen = true;
                    sentAt = tree(p);
                } else {
                    others = other(p, others, name);
                    skip(p);
                }
            }
            nothingAfter(p);
            if (notAnArray) throw ApiException.badRequest("invalid_type", "batch must be an array", "batch");
            if (count < 0) throw ApiException.badRequest("missing_field", "batch is required: an array of items", "batch");
            if (count > maxBatch) throw ApiException.badRequest("too_many", "at most " + maxBatch + " items per batch, got " + count, "batch");
            if (sentAt != null && !sentAt.isNull()) {
                try {
                    IsoInstants.parse(sentAt.asText());
                } catch (DateTimeException e) {
                    throw ApiException.badRequest("invalid_value", "sentAt must be an ISO-8601 instant", "sentAt");
                }
            }
        }
    }

    /** Refuses anything after the body's JSON value if the mapper does, as Jackson would (a 400 {@code invalid_json}). */
    private void nothingAfter(JsonParser p) throws IOException {
        if (nothingAfter && p.nextToken() != null) {
            throw com.fasterxml.jackson.databind.exc.MismatchedInputException.from(p, JsonNode.class,
                    "Trailing token (of type " + p.currentToken() + ") found after value: not allowed as per DeserializationFeature.FAIL_ON_TRAILING_TOKENS");
        }
    }

    /**
     * Reads a batch of events from a request body (JSON; UTF-8, or UTF-16/32, which the parser detects);
     * {@code keyOf} maps (userId, anonymousId) to the partition key. An event's {@code properties} and
     * {@code context} are checked as trees but go into the canonical record as the bytes the client sent
     * (valid JSON: the parser just read them; formatting and escapes as sent), so the record is written once,
     * not rebuilt from the trees.
     */
    Batch events(byte[] body, Instant now, java.util.function.BiFunction<String, String, String> keyOf) throws IOException {
        List<Item> items = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        Canonical out = new Canonical();
        LastContext last = new LastContext();
        PropertyFacts facts = new PropertyFacts();
        String nowText = now.toString();
        String receivedAt = Long.toString(now.toEpochMilli());
        envelope(body, config.maxBatch(), (i, p) -> {
            try {
                items.add(event(i, p, body, now, nowText, receivedAt, keyOf, out, last, facts));
            } catch (InvalidInputException ex) {
                rejected.add(new Rejection(i, ex.code(), ex.getMessage(), ex.field()));
            }
        }, () -> {
            items.clear();
            rejected.clear();
        });
        return new Batch(items, rejected);
    }

    /** One event; {@code nowText} and {@code receivedAt} are {@code now} as an ISO-8601 instant and in epoch ms, formatted once per batch. */
    private Item event(int i, JsonParser parser, byte[] body, Instant now, String nowText, String receivedAt,
                       java.util.function.BiFunction<String, String, String> keyOf, Canonical canonical, LastContext last,
                       PropertyFacts facts) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            tree(parser);
            throw new InvalidInputException("batch[" + i + "]", "invalid_type", "each event must be an object");
        }
        // The event's fields of the schema as trees (as the checks read them; the last one counts if the mapper lets a
        // field come twice), and where its properties and context are in the body. Other fields are skipped (still read).
        boolean bytesOfBody = parser instanceof com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
        JsonNode[] field = new JsonNode[EVENT_FIELDS];
        java.util.Set<String> others = null;
        long[] propsAt = {-1, -1};
        long[] contextAt = {-1, -1};
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            int f = eventField(name);
            JsonToken t = parser.nextToken();
            if (f < 0) {
                others = other(parser, others, name);
                skip(parser);
                continue;
            }
            once(parser, field[f] != null, name);
            long from = t == JsonToken.START_OBJECT ? parser.currentTokenLocation().getByteOffset() : -1;
            if (f == CONTEXT && bytesOfBody && last.sameAt(body, from)) {
                // The bytes of the last event's context, checked already: passed over, not read and checked again.
                parser.skipChildren();
                field[f] = last.node;
                contextAt[0] = from;
                contextAt[1] = parser.currentTokenLocation().getByteOffset() + 1;
                continue;
            }
            if (f == PROPERTIES && bytesOfBody && t == JsonToken.START_OBJECT) {
                // Scanned, not read into a tree: the record carries the bytes, and the checks need only what scan() keeps.
                facts.scan(parser);
                field[f] = SCANNED;
                propsAt[0] = from;
                propsAt[1] = parser.currentTokenLocation().getByteOffset() + 1;
                continue;
            }
            field[f] = tree(parser);
            long[] at = f == PROPERTIES ? propsAt : f == CONTEXT ? contextAt : null;
            if (at != null) {
                at[0] = from;
                at[1] = from < 0 ? -1 : parser.currentTokenLocation().getByteOffset() + 1;
            }
        }
        String p = "batch[" + i + "].";
        UUID eventId = uuid(field[EVENT_ID], p, "eventId");
        String type = required(field[TYPE], "type", p);
        Map<String, String> required = EventTypes.REQUIRED.get(type);
        if (required == null) {
            throw new InvalidInputException(p + "type", "invalid_value", "unknown event type '" + type + "'; see docs/events.md");
        }
        String userId = text(field[USER_ID], "userId", p);
        String anonymousId = text(field[ANONYMOUS_ID], "anonymousId", p);
        if (userId == null && anonymousId == null) throw new InvalidInputException(p + "userId", "missing_field", "userId or anonymousId is required");
        if (type.equals("identify") && (userId == null || anonymousId == null)) {
            throw new InvalidInputException(p + "userId", "missing_field", "identify needs both userId and anonymousId");
        }
        String sessionId = text(field[SESSION_ID], "sessionId", p);
        String timestamp = timestamp(field[TIMESTAMP], p, now, nowText);
        JsonNode given = field[PROPERTIES];
        JsonNode props = properties(given, type, required, p, facts);
        JsonNode context = field[CONTEXT];
        if (context == null || context.isNull()) {
            context = null;
        } else if (context != last.node) {
            contexts.checkContext(context, p, now);
            if (contextAt[0] >= 0 && bytesOfBody) last.set(contextAt[0], contextAt[1], context);
        }
        // An id's canonical form, a known type and an instant are plain ASCII: copied as they are.
        canonical.start().number("schemaVersion", SCHEMA_VERSION).plain("eventId", eventId.toString()).plain("type", type);
        if (userId != null) canonical.string("userId", userId);
        if (anonymousId != null) canonical.string("anonymousId", anonymousId);
        if (sessionId != null) canonical.string("sessionId", sessionId);
        canonical.plain("timestamp", timestamp).number("receivedAt", receivedAt);
        // As the client sent them when the body is UTF-8; else (UTF-16/32) written out again from the trees.
        if (props == given && propsAt[0] >= 0 && bytesOfBody) canonical.raw("properties", body, propsAt[0], propsAt[1]);
        else canonical.json("properties", bytes(props));
        if (context != null && contextAt[0] >= 0 && bytesOfBody) canonical.raw("context", body, contextAt[0], contextAt[1]);
        else if (context != null) canonical.json("context", bytes(context));
        byte[] bytes = canonical.end();
        if (bytes.length > config.maxEventBytes()) {
            throw new InvalidInputException("batch[" + i + "]", "too_large", "event is " + bytes.length + " bytes; the limit is " + config.maxEventBytes());
        }
        return new Item(i, keyOf.apply(userId, anonymousId), eventId, bytes);
    }

    /** Marks an event's properties as scanned ({@link PropertyFacts#scan}), not read into a tree (never written: the record takes their bytes). */
    private static final JsonNode SCANNED = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();

    /**
     * What the checks of an event's properties look at ({@link #check}): each field's name, the kind of its value and,
     * for the four fields with a range, the number, in the order the fields first come (the last value counts for a
     * name given twice, as in a tree, when the mapper allows it). Kept while the parser passes over the properties
     * ({@link #scan}: no tree, no string kept, only ranged numbers read) or taken from a tree ({@link #of}: a body the
     * record is written from again, UTF-16 or UTF-32); one set of checks either way. One per batch, reused.
     */
    private final class PropertyFacts {
        private static final byte NULL = 0, STRING = 1, INTEGER = 2, DECIMAL = 3, BOOLEAN = 4, OTHER = 5;
        private static final int MAX_FIELDS = 50;
        private final String[] names = new String[MAX_FIELDS];
        private final byte[] kinds = new byte[MAX_FIELDS];
        private final double[] numbers = new double[MAX_FIELDS];
        private int size;
        /** Whether there are more than {@link #MAX_FIELDS} names (those past it are not kept). */
        private boolean tooMany;
        /** The names past {@link #MAX_FIELDS}, only to find one given twice there as the tree reader would (when names must be unique). */
        private java.util.Set<String> past;

        /** Passes over the object at the parser (at its START_OBJECT; left at its END_OBJECT), keeping what the checks need. */
        void scan(JsonParser p) throws IOException {
            clear();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                byte kind = switch (t) {
                    case VALUE_STRING -> STRING;
                    case VALUE_NUMBER_INT -> INTEGER;
                    case VALUE_NUMBER_FLOAT -> DECIMAL;
                    case VALUE_TRUE, VALUE_FALSE -> BOOLEAN;
                    case VALUE_NULL -> NULL;
                    default -> OTHER;
                };
                double number = (kind == INTEGER || kind == DECIMAL) && ranged(name) ? p.getDoubleValue() : Double.NaN;
                // A string is decoded as the tree reader decodes it (getText), so exactly the bytes it refuses are refused:
                // Jackson checks less when it passes over a string unread, and the record carries these bytes as sent.
                if (kind == STRING) p.getText();
                else if (kind == OTHER) tree(p); // objects and arrays inside: read as trees, names given twice in them found
                // As the tree reader: a name given twice is refused once its value is read if names must be unique.
                once(p, indexOf(name) >= 0 || past != null && past.contains(name), name);
                put(name, kind, number);
            }
        }

        /** Takes the fields of {@code props}, an object. */
        void of(JsonNode props) {
            clear();
            for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                JsonNode v = f.getValue();
                byte kind = v.isTextual() ? STRING : v.isIntegralNumber() ? INTEGER : v.isNumber() ? DECIMAL
                        : v.isBoolean() ? BOOLEAN : v.isNull() ? NULL : OTHER;
                put(f.getKey(), kind, v.isNumber() ? v.asDouble() : Double.NaN);
            }
        }

        void clear() {
            size = 0;
            tooMany = false;
            past = null;
        }

        private void put(String name, byte kind, double number) {
            int i = indexOf(name);
            if (i < 0) {
                if (size == MAX_FIELDS) {
                    tooMany = true;
                    if (uniqueNames) {
                        if (past == null) past = new java.util.HashSet<>();
                        past.add(name);
                    }
                    return;
                }
                i = size++;
                names[i] = name;
            }
            kinds[i] = kind;
            numbers[i] = number;
        }

        /** The checks of the properties of an event of {@code type} (at {@code p}); the first that fails is thrown. */
        void check(String type, Map<String, String> required, String p) {
            if (tooMany) throw new InvalidInputException(p + "properties", "too_many", p + "properties must have at most " + MAX_FIELDS + " fields");
            for (String name : required.keySet()) {
                if (!present(name)) throw new InvalidInputException(p + "properties." + name, "missing_field", type + " events need properties." + name);
            }
            for (int i = 0; i < size; i++) {
                String want = required.getOrDefault(names[i], EventTypes.KNOWN_OPTIONAL.get(names[i]));
                if (want != null && kinds[i] != NULL && !is(kinds[i], want)) {
                    throw new InvalidInputException(p + "properties." + names[i], "invalid_type", p + "properties." + names[i] + " must be a " + want);
                }
            }
            if (type.equals("scroll")) {
                if (!present("depth") && !present("depthPx")) {
                    throw new InvalidInputException(p + "properties.depth", "missing_field", "scroll events need properties.depth (0..1) or properties.depthPx");
                }
                range("depth", 0, 1, p);
                range("depthPx", 0, 1e7, p);
                range("velocity", 0, 1e7, p);
            }
            range("quantity", 1, 10_000, p);
        }

        private static boolean ranged(String name) {
            return name.equals("depth") || name.equals("depthPx") || name.equals("velocity") || name.equals("quantity");
        }

        private static boolean is(byte kind, String type) {
            return switch (type) {
                case "string" -> kind == STRING;
                case "number" -> kind == INTEGER || kind == DECIMAL;
                case "integer" -> kind == INTEGER;
                case "boolean" -> kind == BOOLEAN;
                default -> true;
            };
        }

        private int indexOf(String name) {
            for (int i = 0; i < size; i++) {
                if (names[i].equals(name)) return i;
            }
            return -1;
        }

        private boolean present(String name) {
            int i = indexOf(name);
            return i >= 0 && kinds[i] != NULL;
        }

        /** A number outside [min, max] is refused; anything else (absent, not a number) is not checked here. */
        private void range(String name, double min, double max, String p) {
            int i = indexOf(name);
            if (i >= 0 && (kinds[i] == INTEGER || kinds[i] == DECIMAL) && (numbers[i] < min || numbers[i] > max)) {
                throw new InvalidInputException(p + "properties." + name, "out_of_range", p + "properties." + name + " must be between " + fmt(min) + " and " + fmt(max));
            }
        }
    }

    /**
     * The context of the last event of a batch whose context was checked, and where its bytes are in the body. The
     * events of a batch from one app mostly carry the same context (the device's); an event whose context is the
     * same bytes is the same JSON object, valid as that one was (names given twice included: the check does not
     * depend on the event), so its context is passed over instead of read into a tree and checked again.
     */
    private static final class LastContext {
        JsonNode node;
        private int from;
        private int length;

        /** Whether the bytes at {@code at} start with the last context's bytes (then they are that object: JSON's objects end where their bytes say). */
        boolean sameAt(byte[] body, long at) {
            return node != null && at >= 0 && at + length <= body.length
                    && java.util.Arrays.equals(body, (int) at, (int) at + length, body, from, from + length);
        }

        void set(long from, long to, JsonNode node) {
            this.node = node;
            this.from = (int) from;
            this.length = (int) (to - from);
        }
    }

    /** The fields of an event the schema knows, by their index in {@link #event}'s array. */
    private static final int EVENT_ID = 0, TYPE = 1, USER_ID = 2, ANONYMOUS_ID = 3, SESSION_ID = 4, TIMESTAMP = 5, PROPERTIES = 6, CONTEXT = 7, EVENT_FIELDS = 8;

    private static int eventField(String name) {
        return switch (name) {
            case "eventId" -> EVENT_ID;
            case "type" -> TYPE;
            case "userId" -> USER_ID;
            case "anonymousId" -> ANONYMOUS_ID;
            case "sessionId" -> SESSION_ID;
            case "timestamp" -> TIMESTAMP;
            case "properties" -> PROPERTIES;
            case "context" -> CONTEXT;
            default -> -1;
        };
    }

    /** Writes a canonical record as UTF-8 JSON, field by field, into a buffer reused for every item of a batch. */
    static final class Canonical {
        private static final com.fasterxml.jackson.core.io.JsonStringEncoder ESCAPE = com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance();
        private byte[] buf = new byte[1024];
        private int n;

        Canonical start() {
            n = 0;
            put((byte) '{');
            return this;
        }

        /** A number, as its decimal digits. */
        Canonical number(String name, String digits) {
            name(name);
            ascii(digits);
            return this;
        }

        Canonical string(String name, String value) {
            if (plain(value)) return plain(name, value);
            name(name);
            put((byte) '"');
            byte[] escaped = ESCAPE.quoteAsUTF8(value);
            put(escaped, 0, escaped.length);
            put((byte) '"');
            return this;
        }

        /**
         * Whether JSON writes {@code s} as it is: printable ASCII without '"' or '\\' (ids, types, instants, most
         * user ids), which is then copied byte for byte instead of escaped into a new array; the escaper leaves
         * exactly these characters as they are.
         */
        static boolean plain(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return false;
            }
            return true;
        }

        /** A string the caller knows to be {@link #plain(String)}, copied as it is. */
        Canonical plain(String name, String value) {
            name(name);
            put((byte) '"');
            ascii(value);
            put((byte) '"');
            return this;
        }

        /** A value that is valid JSON already, {@code bytes[from, to)}, copied as it is. */
        Canonical raw(String name, byte[] bytes, long from, long to) {
            name(name);
            put(bytes, (int) from, (int) (to - from));
            return this;
        }

        /** A value that is valid JSON already, the whole of {@code bytes}. */
        Canonical json(String name, byte[] bytes) {
            return raw(name, bytes, 0, bytes.length);
        }

        byte[] end() {
            put((byte) '}');
            return java.util.Arrays.copyOf(buf, n);
        }

        /** Field names here are known ASCII identifiers: no escaping needed. */
        private void name(String name) {
            if (n > 1) put((byte) ',');
            put((byte) '"');
            ascii(name);
            put((byte) '"');
            put((byte) ':');
        }

        /** Copies {@code s}, ASCII, one byte a character (for the compact strings such text is held in, an array copy). */
        @SuppressWarnings("deprecation")
        private void ascii(String s) {
            int length = s.length();
            room(length);
            s.getBytes(0, length, buf, n);
            n += length;
        }

        private void put(byte b) {
            room(1);
            buf[n++] = b;
        }

        private void put(byte[] bytes, int from, int length) {
            room(length);
            System.arraycopy(bytes, from, buf, n, length);
            n += length;
        }

        private void room(int more) {
            if (n + more > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
        }
    }

    /** Reads a batch of outcomes (impression, click, dismiss, conversion of a decision's placement). */
    Batch outcomes(byte[] body, Instant now, java.util.function.BiFunction<String, String, String> keyOf) throws IOException {
        List<Item> items = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        String nowText = now.toString();
        envelope(body, config.maxBatch(), (i, parser) -> {
            String p = "batch[" + i + "].";
            JsonNode o = tree(parser);
            try {
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
                UUID outcomeId = o.hasNonNull("outcomeId") ? uuid(o.get("outcomeId"), p, "outcomeId") : null;
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
                out.put("timestamp", timestamp(o.get("timestamp"), p, now, nowText));
                out.put("receivedAt", now.toEpochMilli());
                UUID id = outcomeId != null ? outcomeId : outcomeKey(decisionId, placement, type);
                items.add(new Item(i, keyOf.apply(userId, anonymousId), id, bytes(out)));
            } catch (InvalidInputException ex) {
                rejected.add(new Rejection(i, ex.code(), ex.getMessage(), ex.field()));
            }
        }, () -> {
            items.clear();
            rejected.clear();
        });
        return new Batch(items, rejected);
    }

    /** The de-duplication id of an outcome without an {@code outcomeId}: one outcome of a type per decision and placement. */
    static UUID outcomeKey(String decisionId, String placement, String type) {
        return UUID.nameUUIDFromBytes(("outcome/" + decisionId + "/" + placement + "/" + type).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private byte[] bytes(JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The UUID {@code v} (null if absent) of {@code field} in the item at {@code p}; written back in its canonical lower-case form. */
    private static UUID uuid(JsonNode v, String p, String field) {
        if (v == null || v.isNull()) throw new InvalidInputException(p + field, "missing_field", p + field + " is required (a UUID the client generates, so retries are de-duplicated)");
        if (!v.isTextual()) throw new InvalidInputException(p + field, "invalid_type", p + field + " must be a UUID string");
        String s = v.asText();
        try {
            if (s.length() == 36) return UUID.fromString(s);
        } catch (IllegalArgumentException ignored) {
            // fall through to the error below
        }
        throw new InvalidInputException(p + field, "invalid_value", p + field + " must be a UUID such as 9b2c6f4e-1d2a-4c3b-8e7f-0a1b2c3d4e5f");
    }

    private static String requiredText(JsonNode e, String field, String p) {
        return required(e.get(field), field, p);
    }

    /** The text {@code v} of {@code field} in the item at {@code p}, as {@link #text}; missing if absent, JSON null or blank. */
    private static String required(JsonNode v, String field, String p) {
        String s = text(v, field, p);
        if (s == null) throw new InvalidInputException(p + field, "missing_field", p + field + " is required");
        return s;
    }

    private static String optText(JsonNode e, String field, String p) {
        return text(e.get(field), field, p);
    }

    /** The text {@code v} (null if absent) of {@code field} in the item at {@code p}, stripped; null if absent, JSON null or blank. */
    private static String text(JsonNode v, String field, String p) {
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

    /** The timestamp {@code v} (null if absent) in its canonical form ({@link Instant#toString()}); {@code nowText} (now's) when it has none. */
    private static String timestamp(JsonNode v, String p, Instant now, String nowText) {
        if (v == null || v.isNull()) return nowText;
        try {
            String text = v.asText();
            Instant t = IsoInstants.parse(text);
            if (t.isAfter(now.plus(MAX_FUTURE))) throw new InvalidInputException(p + "timestamp", "out_of_range", p + "timestamp is more than 24 h in the future");
            if (t.isBefore(EARLIEST)) throw new InvalidInputException(p + "timestamp", "out_of_range", p + "timestamp is before 2000-01-01");
            return IsoInstants.canonical(text, t); // as the SDKs send it, kept without formatting it again
        } catch (DateTimeException ex) {
            throw new InvalidInputException(p + "timestamp", "invalid_value", p + "timestamp must be an ISO-8601 instant such as 2026-11-23T18:30:00Z");
        }
    }

    /**
     * An event's properties, checked: {@code given} as it came ({@link #SCANNED} when {@code facts} were kept while
     * the parser passed over them), an empty object if absent or null; refused if not an object or if a check fails.
     */
    private JsonNode properties(JsonNode given, String type, Map<String, String> required, String p, PropertyFacts facts) {
        JsonNode props = given == null || given.isNull() ? json.createObjectNode() : given;
        if (props != SCANNED) {
            if (!props.isObject()) throw new InvalidInputException(p + "properties", "invalid_type", p + "properties must be an object");
            facts.of(props);
        }
        facts.check(type, required, p);
        return props;
    }

    private static String fmt(double d) { return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d); }
}
