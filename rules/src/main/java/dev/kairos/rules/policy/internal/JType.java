package dev.kairos.rules.policy.internal;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The static type of an expression in rule code: a class and, for generic types such as
 * {@code List<Integer>}, its type arguments. {@link #NULL} is the type of {@code null};
 * {@link #UNKNOWN} stands for a value whose type cannot be told (no member may be used on it).
 */
public record JType(Class<?> raw, List<JType> args) {
    public static final JType NULL = new JType(Void.class, List.of());
    public static final JType UNKNOWN = new JType(Object.class, List.of());
    public static final JType BOOLEAN = of(boolean.class);
    public static final JType INT = of(int.class);
    public static final JType LONG = of(long.class);
    public static final JType DOUBLE = of(double.class);
    public static final JType STRING = of(String.class);

    public static JType of(Class<?> c) { return new JType(c, List.of()); }

    public static JType of(Class<?> c, JType... args) { return new JType(c, List.of(args)); }

    public boolean isNumeric() {
        Class<?> c = raw;
        return c == int.class || c == long.class || c == double.class || c == float.class || c == short.class || c == byte.class
                || c == char.class || Number.class.isAssignableFrom(c);
    }

    public boolean isString() { return raw == String.class; }

    public boolean isBoolean() { return raw == boolean.class || raw == Boolean.class; }

    public boolean isCollection() { return Collection.class.isAssignableFrom(raw); }

    public boolean isMap() { return Map.class.isAssignableFrom(raw); }

    /** The element type of a collection, {@link #UNKNOWN} when it is not known. */
    public JType element() {
        if (isCollection() && args.size() == 1) return args.get(0);
        return UNKNOWN;
    }

    /** Result type of arithmetic on two numeric types. */
    public static JType widen(JType a, JType b) {
        if (is(a, double.class, Double.class, float.class, Float.class) || is(b, double.class, Double.class, float.class, Float.class)
                || !isIntegral(a) || !isIntegral(b)) {
            return DOUBLE;
        }
        if (is(a, long.class, Long.class) || is(b, long.class, Long.class)) return LONG;
        return INT;
    }

    private static boolean isIntegral(JType t) {
        return is(t, int.class, Integer.class, long.class, Long.class, short.class, Short.class, byte.class, Byte.class, char.class, Character.class);
    }

    private static boolean is(JType t, Class<?>... classes) {
        for (Class<?> c : classes) if (t.raw == c) return true;
        return false;
    }

    /** Resolves a reflective type (a method's generic return type) against the receiver's type arguments. */
    public static JType resolve(Type type, JType receiver) {
        Map<TypeVariable<?>, JType> bindings = new HashMap<>();
        if (receiver != null) bind(receiver.raw, receiver.args, bindings);
        return resolve(type, bindings, 0);
    }

    private static void bind(Class<?> c, List<JType> args, Map<TypeVariable<?>, JType> bindings) {
        TypeVariable<?>[] params = c.getTypeParameters();
        for (int i = 0; i < params.length; i++) bindings.putIfAbsent(params[i], i < args.size() ? args.get(i) : UNKNOWN);
        List<Type> supers = new ArrayList<>(List.of(c.getGenericInterfaces()));
        if (c.getGenericSuperclass() != null) supers.add(c.getGenericSuperclass());
        for (Type s : supers) {
            if (s instanceof ParameterizedType p && p.getRawType() instanceof Class<?> sc) {
                List<JType> sargs = new ArrayList<>();
                for (Type a : p.getActualTypeArguments()) sargs.add(resolve(a, bindings, 0));
                bind(sc, sargs, bindings);
            } else if (s instanceof Class<?> sc) {
                bind(sc, List.of(), bindings);
            }
        }
    }

    private static JType resolve(Type type, Map<TypeVariable<?>, JType> bindings, int depth) {
        if (depth > 8) return UNKNOWN;
        if (type instanceof Class<?> c) return of(c);
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            List<JType> args = new ArrayList<>();
            for (Type a : p.getActualTypeArguments()) args.add(resolve(a, bindings, depth + 1));
            return new JType(c, List.copyOf(args));
        }
        if (type instanceof TypeVariable<?> v) {
            JType bound = bindings.get(v);
            if (bound != null) return bound;
            Type[] bounds = v.getBounds();
            return bounds.length > 0 ? resolve(bounds[0], bindings, depth + 1) : UNKNOWN;
        }
        if (type instanceof WildcardType w) {
            return w.getUpperBounds().length > 0 ? resolve(w.getUpperBounds()[0], bindings, depth + 1) : UNKNOWN;
        }
        if (type instanceof GenericArrayType) return UNKNOWN;
        return UNKNOWN;
    }

    /** A short name for messages, e.g. {@code List<Integer>}. */
    public String display() {
        if (this == NULL) return "null";
        StringBuilder b = new StringBuilder(raw.getSimpleName());
        if (!args.isEmpty()) {
            b.append('<');
            for (int i = 0; i < args.size(); i++) b.append(i == 0 ? "" : ", ").append(args.get(i).display());
            b.append('>');
        }
        return b.toString();
    }
}
