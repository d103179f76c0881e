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
