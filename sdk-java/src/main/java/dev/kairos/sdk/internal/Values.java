package dev.kairos.sdk.internal;

import java.lang.reflect.Array;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns what an app passes as properties or context into JSON-safe values; never throws. */
final class Values {
    private static final int MAX_DEPTH = 8;

    private Values() { }

    /** A JSON-safe copy: strings, numbers, booleans, nulls, maps with string keys and lists; anything else becomes its {@code toString()}. */
    static Object sanitize(Object value) {
        return sanitize(value, 0);
    }

    private static Object sanitize(Object v, int depth) {
        if (v == null || v instanceof String || v instanceof Boolean) return v;
        if (v instanceof Number) {
            double d = ((Number) v).doubleValue();
            return Double.isNaN(d) || Double.isInfinite(d) ? null : v;
        }
        if (depth >= MAX_DEPTH) return String.valueOf(v);
        if (v instanceof Map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (e.getKey() != null) out.put(String.valueOf(e.getKey()), sanitize(e.getValue(), depth + 1));
            }
            return out;
        }
        if (v instanceof Collection) {
            List<Object> out = new ArrayList<>();
            for (Object o : (Collection<?>) v) out.add(sanitize(o, depth + 1));
            return out;
        }
        if (v.getClass().isArray()) {
            int n = Array.getLength(v);
            List<Object> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) out.add(sanitize(Array.get(v, i), depth + 1));
            return out;
        }
        if (v instanceof Character || v instanceof Enum || v instanceof TemporalAccessor || v instanceof java.util.UUID) return v.toString();
        return String.valueOf(v);
    }

    /** Writes {@code value} as {@link #sanitize} would turn it, straight to the generator (no copy). */
    static void write(com.fasterxml.jackson.core.JsonGenerator g, Object value) throws java.io.IOException {
        write(g, value, 0);
    }

    private static void write(com.fasterxml.jackson.core.JsonGenerator g, Object v, int depth) throws java.io.IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String) {
            g.writeString((String) v);
        } else if (v instanceof Boolean) {
            g.writeBoolean((Boolean) v);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Number) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) g.writeNull();
            else if (v instanceof java.math.BigDecimal) g.writeNumber((java.math.BigDecimal) v);
            else if (v instanceof java.math.BigInteger) g.writeNumber((java.math.BigInteger) v);
            else g.writeNumber(d);
        } else if (depth >= MAX_DEPTH) {
            g.writeString(String.valueOf(v));
        } else if (v instanceof Map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (e.getKey() == null) continue;
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue(), depth + 1);
            }
            g.writeEndObject();
        } else if (v instanceof Collection) {
            g.writeStartArray();
            for (Object o : (Collection<?>) v) write(g, o, depth + 1);
            g.writeEndArray();
        } else if (v.getClass().isArray()) {
            g.writeStartArray();
            int n = Array.getLength(v);
            for (int i = 0; i < n; i++) write(g, Array.get(v, i), depth + 1);
            g.writeEndArray();
        } else {
            g.writeString(v.toString());
        }
    }

    /** Puts {@code extra} into {@code target}; nested maps are merged one level deep (so {@code device.model} adds to {@code device}). */
    @SuppressWarnings("unchecked")
    static void mergeInto(Map<String, Object> target, Map<String, ?> extra) {
        if (extra == null) return;
        for (Map.Entry<String, ?> e : extra.entrySet()) {
            if (e.getKey() == null) continue;
            Object value = sanitize(e.getValue());
            Object existing = target.get(e.getKey());
            if (existing instanceof Map && value instanceof Map) {
                Map<String, Object> merged = new LinkedHashMap<>((Map<String, Object>) existing);
                merged.putAll((Map<String, Object>) value);
                target.put(e.getKey(), merged);
            } else if (value != null) {
                target.put(e.getKey(), value);
            }
        }
    }
}
