package dev.kairos.rules.lint;

import dev.kairos.rules.engine.RuleProblem;
import dev.kairos.rules.policy.internal.Ast;
import dev.kairos.rules.policy.internal.Ast.Expr;
import dev.kairos.rules.policy.internal.Parser;
import dev.kairos.rules.policy.internal.PolicyException;
import org.drools.drl.ast.descr.AndDescr;
import org.drools.drl.ast.descr.AttributeDescr;
import org.drools.drl.ast.descr.BaseDescr;
import org.drools.drl.ast.descr.ExprConstraintDescr;
import org.drools.drl.ast.descr.PackageDescr;
import org.drools.drl.ast.descr.PatternDescr;
import org.drools.drl.ast.descr.RuleDescr;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Warnings for a pack that compiles but probably does not do what its author meant. Non-blocking:
 * a pack with warnings is still valid. Each warning is a {@link RuleProblem} of kind
 * {@code warning}, printed as {@code file:line:column: warning: message}:
 * <ul>
 *   <li>a text compared with a value that is always lower case ({@code device.type == "Mobile"}),
 *       or that is not one of the values the field can have ({@code time.daypart == "midnight"});</li>
 *   <li>a placement name nobody knows ({@code "in_app_mesage"}): known placements are the default
 *       pack's, a catalog, and the ones seen in decide traffic ({@link Known});</li>
 *   <li>a weight, custom signal or category name that is not known (it reads 0);</li>
 *   <li>a rule that can never fire (constraints that contradict each other);</li>
 *   <li>a rule that never wins: whenever it matches, another rule matches the same placement and
 *       ranks higher (shadowed);</li>
 *   <li>two rules that can both match one placement with the same priority and salience, so only
 *       their names decide.</li>
 * </ul>
 * The analysis reads the parsed pack only (nothing of it runs) and is conservative: a constraint it
 * cannot reason about (a computed value, {@code not}, {@code exists}, {@code eval} ...) never
 * produces a contradiction or shadowing warning.
 */
public final class PackLinter {
    /** Fields that always hold lower-case text, with the closed set of values when there is one. */
    private static final Map<String, Set<String>> LOWER_CASE = Map.ofEntries(
            Map.entry("Context:device.type", Set.of("mobile", "tablet", "desktop", "tv", "iot", "unknown")),
            Map.entry("Context:device.os", Set.of("ios", "android", "web", "windows", "macos", "linux", "unknown")),
            Map.entry("Context:time.daypart", Set.of("late_night", "morning", "afternoon", "evening", "night")),
            Map.entry("Context:time.dayOfWeek", Set.of("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")),
            Map.entry("Context:session.phase", Set.of("start", "active", "deep", "unknown")),
            Map.entry("Context:network", Set.of()),
            Map.entry("Context:pageType", Set.of()),
            Map.entry("Context:location.placeType", Set.of()));
    /** Facts there is exactly one of per decision: constraints over them in one rule meet on the same object. */
    private static final Set<String> SINGLE_FACTS = Set.of("Context", "Signals", "Profile", "Weights");
    private static final int MAX_RULES_COMPARED = 2000;

    /**
     * What the linter may take as known names. A {@code null} set means "not known here", and its
     * check is skipped (the CLI offline knows no traffic; a server does).
     *
     * @param placements    placement names (default pack, catalog, traffic)
     * @param weights       named weights ({@code $w.get("...")})
     * @param customSignals custom signal names ({@code custom("...")})
     * @param categories    content categories ({@code dwellOn("...")}, {@code productViewsIn("...")})
     */
    public record Known(Set<String> placements, Set<String> weights, Set<String> customSignals, Set<String> categories) {
        /** The default pack's placements and the weights every version has; no traffic. */
        public static Known offline() {
            return new Known(Set.copyOf(DEFAULT_PLACEMENTS), dev.kairos.rules.Weights.DEFAULT_NAMED.keySet(), null, null);
        }

        /** These known names plus {@code more} placements. */
        public Known withPlacements(java.util.Collection<String> more) {
            Set<String> all = new TreeSet<>(placements == null ? Set.of() : placements);
            all.addAll(more);
            return new Known(all, weights, customSignals, categories);
        }
    }

    /** The placements of the default pack. */
    public static final List<String> DEFAULT_PLACEMENTS = List.of(dev.kairos.rules.Placement.HOME_BANNER, dev.kairos.rules.Placement.PRODUCT_PAGE,
            dev.kairos.rules.Placement.ARTICLE_SUMMARY, dev.kairos.rules.Placement.IN_APP_MESSAGE, dev.kairos.rules.Placement.CART_RECOVERY);

    /** One parsed file of a pack. */
    public record ParsedFile(String file, String drl, PackageDescr descr) {}

    private PackLinter() {}

    /** The warnings for a parsed pack that passed the policy check. */
    public static List<RuleProblem> lint(List<ParsedFile> files, Known known) {
        return lint(files, known, java.util.Set.of());
    }

    /** The warnings for a parsed pack that declares {@code thresholds} (names). */
    public static List<RuleProblem> lint(List<ParsedFile> files, Known known, java.util.Set<String> thresholds) {
        List<RuleModel> rules = new ArrayList<>();
        List<RuleProblem> warnings = new ArrayList<>();
        for (ParsedFile f : files) {
            Positions positions = new Positions(f.file(), f.drl());
            for (RuleDescr rule : f.descr().getRules()) {
                RuleModel m = new RuleModel(f, positions, rule);
                m.thresholds = thresholds;
                m.read(known, warnings);
                rules.add(m);
            }
        }
        for (RuleModel m : rules) m.contradiction().ifPresent(warnings::add);
        if (rules.size() <= MAX_RULES_COMPARED) pairs(rules, warnings);
        warnings.sort(Comparator.comparing((RuleProblem p) -> String.valueOf(p.file())).thenComparingInt(RuleProblem::line).thenComparingInt(RuleProblem::column));
        return List.copyOf(new LinkedHashSet<>(warnings));
    }

    // --- shadowed rules and ties -------------------------------------------------------------

    private static void pairs(List<RuleModel> rules, List<RuleProblem> warnings) {
        for (RuleModel b : rules) {
            if (!b.rankKnown() || b.neverFires) continue;
            RuleModel shadow = null;
            for (RuleModel a : rules) {
                if (a == b || !a.rankKnown() || a.neverFires || a.fallback != b.fallback) continue;
                if (a.placements.covers(b.placements) && a.impliedBy(b) && a.outranks(b)) {
                    shadow = a;
                    break;
                }
            }
            if (shadow != null) {
                warnings.add(b.warning(b.start, "rule \"" + b.name + "\" never wins " + b.placements.describe()
                        + ": whenever it matches, \"" + shadow.name + "\" matches too and ranks higher (" + shadow.whyAbove(b) + ")"));
            }
        }
        for (int i = 0; i < rules.size(); i++) {
            RuleModel a = rules.get(i);
            for (int j = i + 1; j < rules.size(); j++) {
                RuleModel b = rules.get(j);
                if (!a.rankKnown() || !b.rankKnown() || a.neverFires || b.neverFires || a.fallback != b.fallback) continue;
                if (a.priority != b.priority || a.salience != b.salience || a.suppress && b.suppress) continue;
                String shared = a.placements.overlap(b.placements);
                if (shared == null || a.impliedBy(b) || b.impliedBy(a) || Constraints.exclusive(a.atoms, b.atoms)) continue;
                RuleModel winner = a.name.compareTo(b.name) <= 0 ? a : b;
                RuleModel loser = winner == a ? b : a;
                warnings.add(loser.warning(loser.start, "rules \"" + winner.name + "\" and \"" + loser.name + "\" can both match " + shared
                        + " with the same priority (" + a.priority + ") and salience (" + a.salience + "): when they do, \""
                        + winner.name + "\" wins only because of its name; give one a higher priority or salience"));
            }
        }
    }

    // --- one rule ------------------------------------------------------------------------------

    /** A comparison of a fact's field with literal values: {@code path op value}. */
    record Atom(String fact, String path, String op, List<Object> values, int pos, String text) {
        String key() { return fact + ":" + path; }
    }

    private static final class RuleModel {
        final ParsedFile file;
        final Positions positions;
        final RuleDescr descr;
        final String name;
        final int start;
        int salience;
        boolean fallback;
        boolean suppress;
        Integer priority;
        PlacementSet placements = PlacementSet.ANY;
        final List<Atom> atoms = new ArrayList<>();
        /** Conditions the linter does not reason about, by canonical text. */
        final Set<String> opaque = new LinkedHashSet<>();
        final Map<String, String> bindings = new HashMap<>();
        boolean neverFires;
        java.util.Set<String> thresholds = java.util.Set.of();

        RuleModel(ParsedFile file, Positions positions, RuleDescr descr) {
            this.file = file;
            this.positions = positions;
            this.descr = descr;
            this.name = descr.getName();
            this.start = Math.max(0, descr.getStartCharacter());
        }

        RuleProblem warning(int offset, String message) { return positions.at(offset, message); }

        boolean rankKnown() { return priority != null; }

        void read(Known known, List<RuleProblem> warnings) {
            AttributeDescr s = descr.getAttributes().get("salience");
            if (s != null && s.getValue() != null && s.getValue().strip().matches("-?\\d{1,7}")) salience = Integer.parseInt(s.getValue().strip());
            AndDescr lhs = descr.getLhs();
            if (lhs != null) {
                for (BaseDescr d : lhs.getDescrs()) {
                    if (d instanceof PatternDescr p && p.getSource() == null) pattern(p, known, warnings);
                    else opaque.add(canonical(d));
                }
            }
            consequence();
        }

        private void pattern(PatternDescr p, Known known, List<RuleProblem> warnings) {
            String fact = simple(p.getObjectType());
            if (p.getIdentifier() != null) bindings.put(p.getIdentifier(), fact);
            boolean single = SINGLE_FACTS.contains(fact);
            PlacementSet local = PlacementSet.ANY;
            for (BaseDescr c : p.getDescrs()) {
                if (!(c instanceof ExprConstraintDescr e)) {
                    opaque.add(fact + "(" + canonical(c) + ")");
                    continue;
                }
                String text = e.getExpression();
                int at = e.getStartCharacter() >= 0 && file.drl().startsWith(text, e.getStartCharacter()) ? e.getStartCharacter()
                        : Math.max(0, file.drl().indexOf(text, Math.max(0, p.getStartCharacter())));
                Ast.Constraint parsed;
                try {
                    parsed = Parser.constraint(text, at);
                } catch (PolicyException ex) {
                    opaque.add(fact + "(" + text.strip() + ")");
                    continue;
                }
                if (parsed.binding() != null) bindings.put(parsed.binding(), fact + "." + Printer.print(parsed.expr()));
                names(parsed.expr(), fact, known, warnings);
                if (parsed.binding() != null && isPath(parsed.expr())) continue; // a binding only: always holds
                for (Expr conjunct : conjuncts(parsed.expr())) {
                    Atom atom = atom(fact, conjunct);
                    if (atom == null) {
                        opaque.add(fact + "(" + Printer.print(conjunct) + ")");
                        continue;
                    }
                    values(atom, known, warnings);
                    if (fact.equals("Placement") && atom.path().equals("name")) {
                        local = local.and(PlacementSet.of(atom));
                        if (local.isEmpty()) {
                            neverFires = true;
                            warnings.add(warning(atom.pos(), "rule \"" + name + "\" can never fire: no placement is named "
                                    + "as this pattern requires (" + atom.text() + ")"));
                        }
                    } else if (single) {
                        atoms.add(atom);
                    } else {
                        opaque.add(fact + "(" + atom.text() + ")");
                    }
                }
            }
            if (fact.equals("Placement")) {
                if (placements != PlacementSet.ANY || p.getIdentifier() == null) {
                    opaque.add("Placement(" + local.describe() + ")"); // a second Placement pattern: not reasoned about
                } else {
                    placements = local;
                }
            }
        }

        /** Names passed as text to {@code get}, {@code custom}, {@code dwellOn} and {@code productViewsIn}. */
        private void names(Expr e, String fact, Known known, List<RuleProblem> warnings) {
            Printer.walk(e, x -> {
                if (!(x instanceof Ast.Call call) || call.args().size() != 1 || !(call.args().get(0) instanceof Ast.Literal l) || !"STRING".equals(l.kind())) return;
                String receiver = call.target() == null ? fact
                        : call.target() instanceof Ast.Name n ? simple(bindings.getOrDefault(n.id(), "")) : "";
                String value = l.value();
                if (receiver.equals("Thresholds") && call.name().equals("get") && !thresholds.contains(value)) {
                    String close = Suggest.closest(value, thresholds);
                    warnings.add(warning(l.pos(), "'" + value + "' is not a threshold of this pack" + (close == null ? "" : "; did you mean '" + close + "'?")
                            + " (thresholds.yaml declares " + (thresholds.isEmpty() ? "none" : String.join(", ", new TreeSet<>(thresholds)))
                            + "); it reads NaN and every comparison with it is false"));
                } else if (receiver.equals("Weights") && call.name().equals("get")) {
                    unknownName(known.weights(), value, l.pos(), "weight", "a weight nobody publishes reads 0", warnings);
                } else if (receiver.equals("Signals") && call.name().equals("custom")) {
                    unknownName(known.customSignals(), value, l.pos(), "custom signal", "a signal no request sends reads 0", warnings);
                } else if (receiver.equals("Signals") && (call.name().equals("dwellOn") || call.name().equals("productViewsIn"))) {
                    unknownName(known.categories(), value, l.pos(), "category", "a category no event carries reads 0", warnings);
                }
            });
        }

        private void unknownName(Set<String> known, String value, int pos, String what, String consequence, List<RuleProblem> warnings) {
            if (known == null || known.isEmpty() || known.contains(value)) return;
            String close = Suggest.closest(value, known);
            warnings.add(warning(pos, "'" + value + "' is not a known " + what + (close == null ? "" : "; did you mean '" + close + "'?")
                    + " (" + consequence + ")"));
        }

        /** Text compared with lower-case fields, and placement names. */
        private void values(Atom atom, Known known, List<RuleProblem> warnings) {
            boolean placementName = atom.fact().equals("Placement") && atom.path().equals("name");
            Set<String> domain = placementName ? known.placements() : LOWER_CASE.get(atom.key());
            if (domain == null && !placementName) return;
            if (atom.op().equals("<") || atom.op().equals(">") || atom.op().equals("<=") || atom.op().equals(">=")) return;
            for (Object v : atom.values()) {
                if (!(v instanceof String s)) continue;
                String lower = s.toLowerCase(Locale.ROOT);
                if (!placementName && !s.equals(lower)) {
                    warnings.add(warning(atom.pos(), "\"" + s + "\" never matches: " + atom.path() + " is always lower case; write \"" + lower + "\""));
                } else if (domain != null && !domain.isEmpty() && !domain.contains(s) && !(atom.op().startsWith("not") || atom.op().equals("!="))) {
                    String close = Suggest.closest(s, domain);
                    if (placementName) {
                        if (domain.contains(lower)) close = lower;
                        warnings.add(warning(atom.pos(), "'" + s + "' is not a known placement" + (close == null ? "" : "; did you mean '" + close + "'?")
                                + " (known: the default pack's placements, the catalog and those seen in decide requests)"));
                    } else {
                        warnings.add(warning(atom.pos(), "\"" + s + "\" never matches: " + atom.path() + " is one of " + String.join(", ", new TreeSet<>(domain))
                                + (close == null ? "" : "; did you mean \"" + close + "\"?")));
                    }
                }
            }
        }

        private void consequence() {
            Object c = descr.getConsequence();
            if (!(c instanceof String text) || text.isBlank()) return;
            List<Ast.Stmt> statements = new ArrayList<>();
            try {
                Parser.consequence(text, 0, statements::add);
            } catch (PolicyException e) {
                return;
            }
            if (statements.size() != 1 || !(statements.get(0) instanceof Ast.ExprStmt es)) return; // several actions or an if: rank unknown
            Expr e = es.expr();
            Integer prio = 0;
            while (e instanceof Ast.Call call && call.target() != null) {
                if (call.name().equals("priority")) {
                    prio = call.args().size() == 1 ? Constraints.integer(call.args().get(0)) : null;
                    if (prio == null) return;
                }
                e = call.target();
            }
            if (!(e instanceof Ast.Call root) || root.target() != null) return;
            switch (root.name()) {
                case "adapt" -> { }
                case "suppress" -> suppress = true;
                case "fallback" -> fallback = true;
                default -> { return; }
            }
            priority = prio;
        }

        Optional<RuleProblem> contradiction() {
            if (neverFires) return Optional.empty();
            Constraints.Conflict conflict = Constraints.conflict(atoms);
            if (conflict == null) return Optional.empty();
            neverFires = true;
            return Optional.of(warning(conflict.at().pos(), "rule \"" + name + "\" can never fire: " + conflict.message()));
        }

        /** True when every condition of this rule holds whenever {@code other}'s do. */
        boolean impliedBy(RuleModel other) {
            if (!other.opaque.containsAll(opaque)) return false;
            return Constraints.implies(other.atoms, atoms);
        }

        boolean outranks(RuleModel other) {
            if (!priority.equals(other.priority)) return priority > other.priority;
            if (salience != other.salience) return salience > other.salience;
            return name.compareTo(other.name) < 0;
        }

        String whyAbove(RuleModel other) {
            if (!priority.equals(other.priority)) return "priority " + priority + " > " + other.priority;
            if (salience != other.salience) return "salience " + salience + " > " + other.salience;
            return "same priority and salience, and its name comes first";
        }

        private String canonical(BaseDescr d) {
            String drl = file.drl();
            int s = d.getStartCharacter();
            int e = d.getEndCharacter();
            if (s < 0 || e <= s || e > drl.length() + 1) return d.getClass().getSimpleName() + "@" + System.identityHashCode(d);
            return drl.substring(s, Math.min(drl.length(), e + 1)).replaceAll("\\s+", " ").strip();
        }
    }

    static List<Expr> conjuncts(Expr e) {
        if (e instanceof Ast.Binary b && b.op().equals("&&")) {
            List<Expr> out = new ArrayList<>(conjuncts(b.left()));
            out.addAll(conjuncts(b.right()));
            return out;
        }
        return List.of(e);
    }

    private static boolean isPath(Expr e) {
        return e instanceof Ast.Name || e instanceof Ast.Select s && isPath(s.target());
    }

    /** {@code path op literal} (either way round) or {@code path [not] in (literals)}; null for anything else. */
    static Atom atom(String fact, Expr e) {
        if (e instanceof Ast.In in && isPath(in.left())) {
            List<Object> values = new ArrayList<>();
            for (Expr v : in.values()) {
                Object lit = Constraints.literal(v);
                if (lit == null) return null;
                values.add(lit);
            }
            return new Atom(fact, Printer.print(in.left()), in.negated() ? "not in" : "in", values, in.pos(), Printer.print(e));
        }
        if (e instanceof Ast.Binary b && Set.of("==", "!=", "<", "<=", ">", ">=").contains(b.op())) {
            Expr path = b.left();
            Expr value = b.right();
            String op = b.op();
            if (!isPath(path) && isPath(value)) {
                path = b.right();
                value = b.left();
                op = switch (op) { case "<" -> ">"; case ">" -> "<"; case "<=" -> ">="; case ">=" -> "<="; default -> op; };
            }
            Object lit = Constraints.literal(value);
            if (!isPath(path) || lit == null || path instanceof Ast.Name n && n.id().startsWith("$")) return null;
            return new Atom(fact, Printer.print(path), op, List.of(lit), Math.max(0, pathStart(path)), Printer.print(e));
        }
        return null;
    }

    private static int pathStart(Expr e) {
        while (e instanceof Ast.Select s) e = s.target();
        return e.pos();
    }

    private static String simple(String type) {
        if (type == null) return "";
        int dot = type.lastIndexOf('.');
        return dot < 0 ? type : type.substring(dot + 1);
    }

    /** Turns offsets into 1-based line:column warnings. */
    private static final class Positions {
        private final dev.kairos.rules.engine.SourcePositions at;

        Positions(String file, String drl) {
            this.at = new dev.kairos.rules.engine.SourcePositions(file, drl);
        }

        RuleProblem at(int offset, String message) { return at.at(Math.max(0, offset), "warning", message); }
    }

    /** Which placements a rule matches: any, a set of names, or every name but some. */
    record PlacementSet(Set<String> names, boolean complement) {
        static final PlacementSet ANY = new PlacementSet(Set.of(), true);

        static PlacementSet of(Atom a) {
            Set<String> names = new TreeSet<>();
            for (Object v : a.values()) names.add(String.valueOf(v));
            return switch (a.op()) {
                case "==", "in" -> new PlacementSet(names, false);
                case "!=", "not in" -> new PlacementSet(names, true);
                default -> ANY;
            };
        }

        boolean isEmpty() { return !complement && names.isEmpty(); }

        PlacementSet and(PlacementSet o) {
            Set<String> n = new TreeSet<>();
            if (!complement && !o.complement) { n.addAll(names); n.retainAll(o.names); return new PlacementSet(n, false); }
            if (complement && o.complement) { n.addAll(names); n.addAll(o.names); return new PlacementSet(n, true); }
            PlacementSet set = complement ? o : this;
            PlacementSet not = complement ? this : o;
            n.addAll(set.names);
            n.removeAll(not.names);
            return new PlacementSet(n, false);
        }

        /** True when every placement {@code o} matches, this matches too. */
        boolean covers(PlacementSet o) {
            if (complement) return o.complement ? o.names.containsAll(names) : o.names.stream().noneMatch(names::contains);
            return !o.complement && names.containsAll(o.names);
        }

        /** A placement both match, described; null when none. */
        String overlap(PlacementSet o) {
            PlacementSet both = and(o);
            if (both.complement) return "the same placements";
            return both.names.isEmpty() ? null : "placement " + both.names.iterator().next();
        }

        String describe() {
            if (complement) return names.isEmpty() ? "on any placement" : "on placements other than " + String.join(", ", names);
            return "on " + (names.size() == 1 ? "placement " : "placements ") + String.join(", ", names);
        }
    }
}
