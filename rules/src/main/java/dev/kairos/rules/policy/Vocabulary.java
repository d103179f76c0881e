package dev.kairos.rules.policy;

import dev.kairos.rules.Actions;
import dev.kairos.rules.AdaptationBuilder;
import dev.kairos.rules.BaseItem;
import dev.kairos.rules.Context;
import dev.kairos.rules.Device;
import dev.kairos.rules.Location;
import dev.kairos.rules.Placement;
import dev.kairos.rules.Profile;
import dev.kairos.rules.Segment;
import dev.kairos.rules.Session;
import dev.kairos.rules.NextBestAction;
import dev.kairos.rules.Signals;
import dev.kairos.rules.Exposures;
import dev.kairos.rules.Thresholds;
import dev.kairos.rules.TimeOfDay;
import dev.kairos.rules.Variant;
import dev.kairos.rules.Weights;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a rule may reach: the allow-list every pack is checked against before anything of it is
 * compiled. It names types, and for each type the methods, static methods, constants and
 * constructors a rule may use; nothing else can be named in a rule. {@link #standard()} is the
 * Kairos vocabulary: the fact model, the adaptation builder and a small set of JDK value types
 * (text, boxed numbers, {@link Math}, read-only {@code java.time}, immutable collections).
 *
 * <p>This class is the single source of truth for the docs: {@link #markdown()} renders the
 * "What a rule may do" tables of {@code docs/rules-guide.md}, and a test keeps the two equal.
 * Immutable and thread-safe.
 */
public final class Vocabulary {
    /** How a pattern of this type is matched: an inserted fact, or a value reached through {@code from}. */
    public enum Kind {
        /** Inserted into every evaluation (or by rules): may be a pattern such as {@code Signals( ... )}. */
        FACT,
        /** A value reached from a fact; may be a pattern only after {@code from}. */
        VALUE,
        /** Only static members (e.g. {@link Math}). */
        STATIC
    }

    /** The rules for one type. */
    public record TypeRules(Class<?> type, Kind kind, String why, Map<String, List<Method>> methods,
                            Map<String, List<Method>> statics, Map<String, Field> constants,
                            List<Constructor<?>> constructors, Map<String, Method> properties) {
        public String simpleName() { return type.getSimpleName(); }
    }

    private final Map<String, TypeRules> byName;
    private final Map<String, TypeRules> bySimpleName;
    private final Map<String, Method> functions;

    private Vocabulary(Map<String, TypeRules> types, Map<String, Method> functions) {
        this.byName = Collections.unmodifiableMap(types);
        Map<String, TypeRules> simple = new LinkedHashMap<>();
        for (TypeRules t : types.values()) simple.put(t.simpleName(), t);
        this.bySimpleName = Collections.unmodifiableMap(simple);
        this.functions = Collections.unmodifiableMap(functions);
    }

    /** The Kairos vocabulary. */
    public static Vocabulary standard() { return STANDARD; }

    /** The type named {@code name} (simple, such as {@code Signals}, or qualified), if a rule may use it. */
    public Optional<TypeRules> type(String name) {
        TypeRules t = byName.get(name);
        return Optional.ofNullable(t != null ? t : bySimpleName.get(name));
    }

    /** The rules for {@code type} itself, or for the nearest allowed type it implements. */
    public Optional<TypeRules> rulesFor(Class<?> type) {
        Class<?> boxed = box(type);
        TypeRules t = byName.get(boxed.getName());
        if (t != null) return Optional.of(t);
        for (TypeRules candidate : byName.values()) {
            if (candidate.kind() != Kind.STATIC && candidate.type().isAssignableFrom(boxed)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    /** Every allowed type, by qualified name. */
    public Collection<TypeRules> types() { return byName.values(); }

    /** Simple names of every allowed type (a pack's package may not shadow them). */
    public Set<String> simpleNames() { return bySimpleName.keySet(); }

    /** The rule actions ({@code adapt}, {@code suppress}, {@code fallback}) by name. */
    public Map<String, Method> functions() { return functions; }

    static Class<?> box(Class<?> c) {
        if (!c.isPrimitive()) return c;
        if (c == int.class) return Integer.class;
        if (c == long.class) return Long.class;
        if (c == double.class) return Double.class;
        if (c == float.class) return Float.class;
        if (c == boolean.class) return Boolean.class;
        if (c == short.class) return Short.class;
        if (c == byte.class) return Byte.class;
        if (c == char.class) return Character.class;
        return c;
    }

    // --- the standard vocabulary -----------------------------------------------------------

    private static final List<String> OBJECT_METHODS = List.of("equals", "hashCode", "toString");
    private static final Vocabulary STANDARD = buildStandard();

    private static Vocabulary buildStandard() {
        Builder b = new Builder();
        String facts = "the facts of a decision";
        b.facts(facts, Context.class, Signals.class, Profile.class, Segment.class, Weights.class, Thresholds.class, Exposures.class, BaseItem.class, NextBestAction.class, Placement.class, Variant.class);
        b.values("parts of the facts", Device.class, Location.class, TimeOfDay.class, Session.class);
        b.values("what a consequence builds", AdaptationBuilder.class, dev.kairos.rules.TriggerBuilder.class);
        b.jdk(String.class, Kind.VALUE, "text",
                List.of("length", "isEmpty", "isBlank", "toLowerCase", "toUpperCase", "trim", "strip", "startsWith",
                        "endsWith", "contains", "equalsIgnoreCase", "substring", "indexOf", "lastIndexOf", "charAt",
                        "compareTo", "compareToIgnoreCase"),
                List.of("valueOf"), List.of());
        List<String> numberMethods = List.of("intValue", "longValue", "doubleValue", "floatValue", "compareTo");
        b.jdk(Number.class, Kind.VALUE, "numbers", List.of("intValue", "longValue", "doubleValue", "floatValue"), List.of(), List.of());
        b.jdk(Integer.class, Kind.VALUE, "numbers", numberMethods, List.of("parseInt", "valueOf", "compare", "min", "max", "sum"), List.of("MAX_VALUE", "MIN_VALUE"));
        b.jdk(Long.class, Kind.VALUE, "numbers", numberMethods, List.of("parseLong", "valueOf", "compare", "min", "max", "sum"), List.of("MAX_VALUE", "MIN_VALUE"));
        b.jdk(Double.class, Kind.VALUE, "numbers", List.of("intValue", "longValue", "doubleValue", "floatValue", "compareTo", "isNaN"),
                List.of("parseDouble", "valueOf", "compare", "min", "max", "sum", "isNaN", "isFinite"), List.of("MAX_VALUE", "MIN_VALUE"));
        b.jdk(Float.class, Kind.VALUE, "numbers", numberMethods, List.of("parseFloat", "valueOf", "compare"), List.of());
        b.jdk(Short.class, Kind.VALUE, "numbers", numberMethods, List.of(), List.of());
        b.jdk(Byte.class, Kind.VALUE, "numbers", numberMethods, List.of(), List.of());
        b.jdk(Boolean.class, Kind.VALUE, "truth values", List.of("booleanValue", "compareTo"), List.of("parseBoolean", "valueOf"), List.of("TRUE", "FALSE"));
        b.jdk(Character.class, Kind.VALUE, "characters", List.of("charValue", "compareTo"), List.of(), List.of());
        b.jdk(Math.class, Kind.STATIC, "arithmetic",
                List.of(), List.of("abs", "min", "max", "round", "floor", "ceil", "sqrt", "cbrt", "pow", "exp", "log", "log10",
                        "signum", "floorDiv", "floorMod", "hypot", "toRadians", "toDegrees", "sin", "cos", "tan", "asin", "acos",
                        "atan", "atan2"),
                List.of("PI", "E"));
        b.jdk(Instant.class, Kind.VALUE, "points in time (read-only)",
                List.of("isBefore", "isAfter", "toEpochMilli", "getEpochSecond", "plus", "minus", "plusSeconds", "minusSeconds",
                        "plusMillis", "minusMillis", "compareTo"),
                List.of("ofEpochMilli", "ofEpochSecond", "parse"), List.of());
        b.jdk(Duration.class, Kind.VALUE, "durations (read-only)",
                List.of("toDays", "toHours", "toMinutes", "toSeconds", "toMillis", "getSeconds", "isNegative", "isZero", "plus",
                        "minus", "compareTo"),
                List.of("ofDays", "ofHours", "ofMinutes", "ofSeconds", "ofMillis", "between"), List.of());
        b.jdk(List.class, Kind.VALUE, "immutable lists", List.of("size", "isEmpty", "contains", "get", "indexOf"), List.of("of"), List.of());
        b.jdk(Set.class, Kind.VALUE, "immutable sets", List.of("size", "isEmpty", "contains"), List.of("of"), List.of());
        b.jdk(Map.class, Kind.VALUE, "immutable maps",
                List.of("size", "isEmpty", "containsKey", "containsValue", "get", "getOrDefault", "keySet", "values"), List.of("of"), List.of());
        b.jdk(Collection.class, Kind.VALUE, "collections", List.of("size", "isEmpty", "contains"), List.of(), List.of());
        b.function(Actions.class, "adapt", "suppress", "fallback", "trigger", "choose");
        return b.build();
    }

    private static final class Builder {
        private final Map<String, TypeRules> types = new LinkedHashMap<>();
        private final Map<String, Method> functions = new LinkedHashMap<>();
        private final List<Runnable> deferred = new ArrayList<>();

        void facts(String why, Class<?>... classes) { model(Kind.FACT, why, classes); }

        void values(String why, Class<?>... classes) { model(Kind.VALUE, why, classes); }

        /** Fact model classes: every public method whose result is itself allowed, every allowed constant. */
        private void model(Kind kind, String why, Class<?>... classes) {
            for (Class<?> c : classes) {
                types.put(c.getName(), new TypeRules(c, kind, why, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new ArrayList<>(), new TreeMap<>()));
                deferred.add(() -> {
                    TypeRules t = types.get(c.getName());
                    for (Method m : c.getDeclaredMethods()) {
                        if (!Modifier.isPublic(m.getModifiers()) || m.isSynthetic() || !reachable(m.getReturnType())) continue;
                        if (!producible(m)) continue;
                        if (Modifier.isStatic(m.getModifiers())) {
                            t.statics().computeIfAbsent(m.getName(), k -> new ArrayList<>()).add(m);
                        } else if (!OBJECT_METHODS.contains(m.getName())) {
                            add(t, m);
                        }
                    }
                    for (Field f : c.getFields()) {
                        if (Modifier.isStatic(f.getModifiers()) && Modifier.isFinal(f.getModifiers()) && reachable(f.getType())) {
                            t.constants().put(f.getName(), f);
                        }
                    }
                    if (c == Segment.class) t.constructors().addAll(Arrays.asList(c.getConstructors()));
                    addObjectMethods(t);
                });
            }
        }

        void jdk(Class<?> c, Kind kind, String why, List<String> methods, List<String> statics, List<String> constants) {
            TypeRules t = new TypeRules(c, kind, why, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new ArrayList<>(), new TreeMap<>());
            types.put(c.getName(), t);
            for (Method m : c.getMethods()) {
                if (m.isSynthetic() || m.isBridge()) continue;
                if (Modifier.isStatic(m.getModifiers())) {
                    if (statics.contains(m.getName()) && m.getDeclaringClass() == c) {
                        t.statics().computeIfAbsent(m.getName(), k -> new ArrayList<>()).add(m);
                    }
                } else if (methods.contains(m.getName())) {
                    add(t, m);
                }
            }
            for (String name : constants) {
                try {
                    t.constants().put(name, c.getField(name));
                } catch (NoSuchFieldException e) {
                    throw new IllegalStateException(c + "." + name, e);
                }
            }
            if (kind != Kind.STATIC) addObjectMethods(t);
            deferred.add(() -> {
                for (String name : methods) {
                    if (!t.methods().containsKey(name)) throw new IllegalStateException("no method " + c.getName() + "." + name);
                }
                for (String name : statics) {
                    if (!t.statics().containsKey(name)) throw new IllegalStateException("no static method " + c.getName() + "." + name);
                }
            });
        }

        void function(Class<?> c, String... names) {
            for (String name : names) {
                Method m = Arrays.stream(c.getMethods()).filter(x -> x.getName().equals(name)).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no function " + name));
                functions.put(name, m);
            }
        }

        private static void add(TypeRules t, Method m) {
            List<Method> list = t.methods().computeIfAbsent(m.getName(), k -> new ArrayList<>());
            for (Method existing : list) {
                if (Arrays.equals(existing.getParameterTypes(), m.getParameterTypes())) return;
            }
            list.add(m);
            String property = t.type().getName().startsWith("dev.kairos.") ? property(m) : null;
            if (property != null) t.properties().putIfAbsent(property, m);
        }

        private static void addObjectMethods(TypeRules t) {
            for (String name : OBJECT_METHODS) {
                try {
                    Method m = name.equals("equals") ? Object.class.getMethod(name, Object.class) : Object.class.getMethod(name);
                    t.methods().computeIfAbsent(name, k -> new ArrayList<>()).add(m);
                } catch (NoSuchMethodException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        /** {@code getName()} → {@code name}, {@code isWeekend()} → {@code weekend}; null when not a getter. */
        static String property(Method m) {
            if (m.getParameterCount() != 0 || m.getReturnType() == void.class) return null;
            String n = m.getName();
            String rest = n.startsWith("get") && n.length() > 3 ? n.substring(3)
                    : n.startsWith("is") && n.length() > 2 && (m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class) ? n.substring(2) : null;
            if (rest == null || !Character.isUpperCase(rest.charAt(0))) return null;
            return Character.toLowerCase(rest.charAt(0)) + rest.substring(1);
        }

        private boolean reachable(Class<?> c) {
            if (c.isPrimitive()) return c != void.class;
            if (c.isArray()) return false;
            return types.containsKey(c.getName());
        }

        Vocabulary build() {
            deferred.forEach(Runnable::run);
            for (TypeRules t : types.values()) {
                t.methods().values().forEach(list -> list.removeIf(m -> !producible(m)));
                t.methods().values().removeIf(List::isEmpty);
                t.statics().values().forEach(list -> list.removeIf(m -> !producible(m)));
                t.statics().values().removeIf(List::isEmpty);
                t.properties().values().removeIf(m -> !producible(m));
            }
            return new Vocabulary(types, functions);
        }

        /** A rule can call {@code m} only with values it can make: each parameter accepts some allowed type. */
        private boolean producible(Method m) {
            return producibleParams(m) && (m.getReturnType() == void.class || reachable(m.getReturnType())
                    || m.getReturnType() == Object.class || m.getReturnType() == Comparable.class);
        }

        private boolean producibleParams(Method m) {
            for (Class<?> p : m.getParameterTypes()) {
                if (p.isPrimitive() || p == Object.class) continue;
                if (p.isArray()) {
                    if (!m.isVarArgs()) return false;
                    continue;
                }
                boolean ok = false;
                for (TypeRules t : types.values()) {
                    if (p.isAssignableFrom(t.type())) {
                        ok = true;
                        break;
                    }
                }
                if (!ok) return false;
            }
            return true;
        }
    }

    // --- documentation -----------------------------------------------------------------------

    /**
     * The allow-list as Markdown: one table row per type with what a rule may use of it. Embedded
     * in {@code docs/rules-guide.md} between {@code <!-- vocabulary:begin -->} and
     * {@code <!-- vocabulary:end -->}.
     */
    public String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| Type | Why a rule may use it | Properties and methods | Static members |\n");
        out.append("|---|---|---|---|\n");
        for (TypeRules t : byName.values()) {
            Set<String> members = new TreeSet<>();
            for (Map.Entry<String, List<Method>> e : t.methods().entrySet()) {
                if (OBJECT_METHODS.contains(e.getKey())) continue;
                String property = null;
                for (Map.Entry<String, Method> p : t.properties().entrySet()) {
                    if (p.getValue().getName().equals(e.getKey())) property = p.getKey();
                }
                members.add(property != null ? "`" + property + "`" : "`" + e.getKey() + "(" + arities(e.getValue()) + ")`");
            }
            Set<String> statics = new TreeSet<>();
            t.statics().forEach((name, ms) -> statics.add("`" + t.simpleName() + "." + name + "(" + arities(ms) + ")`"));
            t.constants().keySet().forEach(name -> statics.add("`" + t.simpleName() + "." + name + "`"));
            for (Constructor<?> c : t.constructors()) statics.add("`new " + t.simpleName() + "(" + c.getParameterCount() + " args)`");
            out.append("| `").append(t.simpleName()).append("`").append(t.kind() == Kind.FACT ? " (fact)" : "")
                    .append(" | ").append(t.why())
                    .append(" | ").append(members.isEmpty() ? "—" : String.join(", ", members))
                    .append(" | ").append(statics.isEmpty() ? "—" : String.join(", ", statics)).append(" |\n");
        }
        out.append("\nEvery allowed type also has `equals`, `hashCode` and `toString`. Actions (consequences only): ");
        List<String> fns = new ArrayList<>();
        functions.forEach((name, m) -> fns.add("`" + name + "(" + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName)
                .reduce((a, b2) -> a + ", " + b2).orElse("") + ")`"));
        fns.add("`insert(Segment)`");
        out.append(String.join(", ", fns)).append(".\n");
        return out.toString();
    }

    private static String arities(List<Method> methods) {
        TreeSet<Integer> counts = new TreeSet<>(Comparator.naturalOrder());
        for (Method m : methods) counts.add(m.getParameterCount());
        if (methods.stream().anyMatch(Method::isVarArgs) || counts.size() > 3) return "…";
        List<String> forms = new ArrayList<>();
        for (Integer n : counts) forms.add(n == 0 ? "" : n == 1 ? "x" : n == 2 ? "x, y" : n == 3 ? "x, y, z" : n + " args");
        return String.join(" | ", forms);
    }
}
