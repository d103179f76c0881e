package dev.kairos.rules.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kairos.rules.Adaptation;
import dev.kairos.rules.Profile;
import dev.kairos.rules.Weights;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.Evaluation;
import dev.kairos.rules.input.DecideRequest;
import dev.kairos.rules.input.DecideRequestReader;
import dev.kairos.rules.input.InvalidInputException;
import dev.kairos.rules.input.StoredUser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Runs scenario files against compiled rules. A scenario file ({@code .yaml}, {@code .yml} or
 * {@code .json}) holds a list of scenarios; each gives a decide request and expects, per
 * placement, the fields that matter:
 * <pre>scenarios:
 *  - name: Evening offer at a Berlin restaurant
 *    given:
 *      placements: [home_banner]
 *      context: {location: {placeType: restaurant}, timezone: Europe/Berlin, timestamp: "2026-11-23T18:30:00Z"}
 *      signals: {intentScore: 0.3}
 *    expect:
 *      home_banner: {rule: Evening restaurant offer, tone: casual, format: carousel, fallback: false}
 *    fired: [Evening restaurant offer, Default home banner]   # optional: exactly these rules fired
 *    segments: [cart_no_purchase_24h]                         # optional: exactly these segments</pre>
 * {@code given.profile} sets the stored history segment rules read ({@code lastEventAt},
 * {@code lastCartAddAt}, {@code lastPurchaseAt}, {@code lastProductViewAt} as ISO instants,
 * {@code cartItems}, {@code sessions}).
 * {@code given} is the body of {@code POST /v1/decide} ({@code userId} may be left out, {@code placements}
 * default to the placements under {@code expect}, and {@code given} itself may be left out); without a
 * timestamp it is {@link #DEFAULT_NOW}. {@code given.weights} optionally sets the {@code Weights}
 * fact: {@code {version, recency, depth, conversion, named: {...}}}. Checkable fields:
 * {@code rule, contentId, tone, format, cta, priority, fallback, suppressed, params}.
 */
public final class ScenarioRunner {
    /** The time scenarios without a timestamp run at: Monday 2026-01-05 12:00 UTC. */
    public static final Instant DEFAULT_NOW = Instant.parse("2026-01-05T12:00:00Z");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CHECKABLE = Set.of("rule", "contentId", "tone", "format", "cta", "priority", "fallback", "suppressed", "params", "layer");

    private final CompiledRules rules;
    private final dev.kairos.rules.engine.RuleExplainer explainer;
    private final DecideRequestReader reader = new DecideRequestReader();

    public ScenarioRunner(CompiledRules rules) {
        this(rules, null);
    }

    /**
     * A runner that, when a scenario expects a rule that did not fire (or did not win), adds why:
     * the first condition of that rule that did not hold, with the values it saw
     * ({@link dev.kairos.rules.engine.RuleExplainer}); {@code explainer} must hold the same pack.
     */
    public ScenarioRunner(CompiledRules rules, dev.kairos.rules.engine.RuleExplainer explainer) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.explainer = explainer;
    }

    /** Scenario files directly in {@code dir} (or {@code dir} itself when it is a file), sorted. */
    public static List<Path> scenarioFiles(Path dir) throws IOException {
        if (Files.isRegularFile(dir)) return List.of(dir);
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().matches(".*\\.(ya?ml|json)$")).sorted().toList();
        }
    }

    /** Runs every scenario of every file in {@code dirOrFile}. */
    public List<ScenarioResult> run(Path dirOrFile) throws IOException {
        List<ScenarioResult> results = new ArrayList<>();
        for (Path file : scenarioFiles(dirOrFile)) results.addAll(runFile(file));
        return results;
    }

    /** Runs every scenario in {@code file}; a malformed file is one failed result, not an exception. */
    public List<ScenarioResult> runFile(Path file) {
        String name = file.getFileName().toString();
        JsonNode root;
        try {
            root = (name.endsWith(".json") ? JSON : YAML).readTree(file.toFile());
        } catch (IOException e) {
            return List.of(new ScenarioResult(name, "(file)", List.of("cannot read: " + e.getMessage())));
        }
        JsonNode scenarios = root == null ? null : root.get("scenarios");
        if (scenarios == null || !scenarios.isArray() || scenarios.isEmpty()) {
            return List.of(new ScenarioResult(name, "(file)", List.of("expected a non-empty 'scenarios:' list")));
        }
        List<ScenarioResult> results = new ArrayList<>();
        for (int i = 0; i < scenarios.size(); i++) results.add(runScenario(name, i, scenarios.get(i)));
        return results;
    }

    ScenarioResult runScenario(String file, int index, JsonNode scenario) {
        String name = scenario.path("name").asText("scenario #" + (index + 1));
        List<String> failures = new ArrayList<>();
        JsonNode given = scenario.get("given");
        JsonNode expect = scenario.get("expect");
        if (given == null) given = JSON.createObjectNode();
        if (!given.isObject()) return new ScenarioResult(file, name, List.of("'given:' must be a map (the body of a decide request)"));
        if (expect == null || !expect.isObject()) return new ScenarioResult(file, name, List.of("missing 'expect:' (placement -> expected fields)"));
        com.fasterxml.jackson.databind.node.ObjectNode request = given.deepCopy();
        if (!request.has("userId") && !request.has("anonymousId")) request.put("userId", "scenario-user");
        if (!request.has("placements")) {
            com.fasterxml.jackson.databind.node.ArrayNode placements = request.putArray("placements");
            expect.fieldNames().forEachRemaining(placements::add);
        }
        JsonNode weightsNode = request.remove("weights");
        JsonNode profileNode = request.remove("profile");
        JsonNode exposuresNode = request.remove("exposures");
        JsonNode baseNode = request.remove("base");
        Evaluation evaluation;
        DecideRequest req;
        try {
            Weights weights = weightsNode == null ? Weights.DEFAULT : weights(weightsNode);
            // a scenario is decided at DEFAULT_NOW (its context may say another time of day): exposures count back from then
            dev.kairos.rules.Exposures exposures = exposuresNode == null ? dev.kairos.rules.Exposures.NONE : exposures(exposuresNode, DEFAULT_NOW);
            java.util.function.Function<String, StoredUser> store = profileNode == null && exposuresNode == null ? null
                    : key -> new StoredUser(dev.kairos.rules.Signals.builder(), profileNode == null
                            ? dev.kairos.rules.Profile.NONE.at(DEFAULT_NOW) : profile(profileNode, request), -1, exposures);
            req = reader.read(request, weights, DEFAULT_NOW, store);
            if (baseNode != null) {
                // given.base: Tier-1 items in the feed format, as the base layer would insert them
                List<dev.kairos.rules.BaseItem> items = dev.kairos.rules.engine.BaseLayer.parseFeed(baseNode);
                req = req.withBase(dev.kairos.rules.engine.BaseLayer.of(items, dev.kairos.rules.engine.BaseLayer.DEFAULT_MAX_PER_SEGMENT)
                        .forPlacements(req.input().placements()));
            }
            for (String ignored : req.ignoredFields()) {
                failures.add("given." + ignored + ": unknown field (a typo?); see docs/api.md for the request fields");
            }
            evaluation = rules.evaluate(req.input());
            if (evaluation.truncated()) failures.add("evaluation stopped at the firing limit: a rule is probably looping");
        } catch (InvalidInputException e) {
            return new ScenarioResult(file, name, List.of("invalid 'given' at " + e.field() + ": " + e.getMessage()));
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            return new ScenarioResult(file, name, List.of("invalid 'given': " + e.getMessage()));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = expect.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Adaptation actual = evaluation.adaptation(e.getKey());
            if (actual == null) {
                failures.add(e.getKey() + ": not in the answer (add it to given.placements)");
                continue;
            }
            compare(e.getKey(), e.getValue(), actual, failures);
        }
        JsonNode fired = scenario.get("fired");
        JsonNode notFired = scenario.get("notFired");
        for (JsonNode list : new JsonNode[] {fired, notFired}) {
            if (list == null) continue;
            if (!list.isArray()) {
                failures.add("'fired' and 'notFired' must be lists of rule names");
                return new ScenarioResult(file, name, failures);
            }
            list.forEach(n -> {
                if (!rules.allRuleNames().contains(n.asText())) failures.add("no rule named '" + n.asText() + "' in the pack");
            });
        }
        JsonNode segments = scenario.get("segments");
        if (segments != null) {
            Set<String> expected = new TreeSet<>();
            segments.forEach(n -> expected.add(n.asText()));
            if (!expected.equals(new TreeSet<>(evaluation.segments()))) {
                failures.add("segments: expected " + expected + " but were " + evaluation.segments());
            }
        }
        if (fired != null) {
            Set<String> expected = new TreeSet<>();
            fired.forEach(n -> expected.add(n.asText()));
            Set<String> actualFired = new TreeSet<>(evaluation.firedRules());
            if (!expected.equals(actualFired)) failures.add("fired rules: expected " + expected + " but were " + actualFired);
        }
        if (notFired != null) {
            Set<String> firedNames = new LinkedHashSet<>(evaluation.firedRules());
            notFired.forEach(n -> {
                if (firedNames.contains(n.asText())) failures.add("rule '" + n.asText() + "' fired but should not have");
            });
        }
        JsonNode triggers = scenario.get("triggers");
        if (triggers != null) {
            // triggers: ["email:cart_reminder", ...] - exactly the triggers the decision emits
            Set<String> expected = new TreeSet<>();
            triggers.forEach(n -> expected.add(n.asText()));
            Set<String> actual = new TreeSet<>();
            for (dev.kairos.rules.engine.Trigger t : evaluation.triggers()) actual.add(t.channel() + ":" + t.name());
            if (!expected.equals(actual)) failures.add("triggers: expected " + expected + " but were " + actual);
        }
        if (explainer != null && !failures.isEmpty()) explain(expect, fired, evaluation, req, failures);
        return new ScenarioResult(file, name, failures);
    }

    /** For each rule the scenario expected to win or fire that did not: why (first condition that did not hold). */
    private void explain(JsonNode expect, JsonNode fired, Evaluation evaluation, DecideRequest req, List<String> failures) {
        Set<String> wanted = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = expect.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode rule = e.getValue().get("rule");
            Adaptation actual = evaluation.adaptation(e.getKey());
            if (rule != null && rule.isTextual() && actual != null && !rule.asText().equals(actual.getRule())) wanted.add(rule.asText());
        }
        if (fired != null && fired.isArray()) fired.forEach(n -> {
            if (!evaluation.firedRules().contains(n.asText())) wanted.add(n.asText());
        });
        for (String rule : wanted) {
            if (!rules.allRuleNames().contains(rule)) continue;
            try {
                failures.add("why: " + explainer.explain(req.input(), List.of(), rule).describe());
            } catch (RuntimeException e) {
                failures.add("why: rule \"" + rule + "\" could not be explained (" + e.getMessage() + ")");
            }
        }
    }

    /**
     * {@code given.exposures}: what the user was shown before, e.g.
     * {@code [{hoursAgo: 2, type: impression, placement: home_banner, rule: Winter sale}]}.
     */
    private static dev.kairos.rules.Exposures exposures(JsonNode node, Instant now) {
        if (!node.isArray()) throw new IllegalArgumentException("exposures must be a list of {hoursAgo, type, placement, rule}");
        List<dev.kairos.rules.Exposures.Exposure> out = new ArrayList<>();
        for (JsonNode e : node) {
            if (!e.path("hoursAgo").isNumber()) throw new IllegalArgumentException("each exposure needs hoursAgo (a number)");
            String type = e.path("type").asText("impression");
            if (!Set.of("impression", "click", "dismiss", "conversion").contains(type)) {
                throw new IllegalArgumentException("exposure type must be impression, click, dismiss or conversion, was " + type);
            }
            out.add(new dev.kairos.rules.Exposures.Exposure(now.minusSeconds((long) (e.get("hoursAgo").asDouble() * 3600)), type,
                    e.path("placement").asText(null), e.path("rule").asText(null)));
        }
        return new dev.kairos.rules.Exposures(out, now);
    }

    private static void compare(String placement, JsonNode expected, Adaptation actual, List<String> failures) {
        if (!expected.isObject()) {
            failures.add(placement + ": expected fields must be a map such as {rule: ..., tone: ...}");
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = f.getKey();
            JsonNode want = f.getValue();
            Object got = switch (key) {
                case "rule" -> actual.getRule();
                case "contentId" -> actual.getContentId();
                case "tone" -> actual.getTone();
                case "format" -> actual.getFormat();
                case "cta" -> actual.getCta();
                case "priority" -> actual.getPriority();
                case "fallback" -> actual.isFallback();
                case "suppressed" -> actual.isSuppressed();
                case "params" -> actual.getParams();
                case "layer" -> actual.getLayer();
                default -> null;
            };
            if (!CHECKABLE.contains(key)) {
                failures.add(placement + "." + key + ": unknown field; checkable fields are " + new TreeSet<>(CHECKABLE));
                continue;
            }
            Object wanted = key.equals("params") ? paramsOf(want)
                    : want.isNull() ? null
                    : want.isBoolean() ? (Object) want.asBoolean()
                    : want.isIntegralNumber() && key.equals("priority") ? (Object) want.asInt()
                    : want.asText();
            if (!Objects.equals(wanted, got)) {
                failures.add(placement + "." + key + ": expected " + quote(wanted) + " but was " + quote(got)
                        + (key.equals("rule") ? "" : " (rule: " + actual.getRule() + ")"));
            }
        }
    }

    private static Map<String, String> paramsOf(JsonNode n) {
        Map<String, String> m = new HashMap<>();
        n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    private static String quote(Object o) {
        return o instanceof String s ? "\"" + s + "\"" : String.valueOf(o);
    }

    /** {@code given.profile}: the stored history, timestamps as ISO instants, seen at the request's time. */
    private static Profile profile(JsonNode n, JsonNode request) {
        String ts = request.path("context").path("timestamp").asText(null);
        Instant now = ts == null ? DEFAULT_NOW : Instant.parse(ts);
        return new Profile(true, instant(n, "lastEventAt"), instant(n, "lastCartAddAt"), instant(n, "lastPurchaseAt"),
                instant(n, "lastProductViewAt"), n.path("cartItems").asInt(0), n.path("sessions").asInt(1), now);
    }

    private static Instant instant(JsonNode n, String field) {
        return n.hasNonNull(field) ? Instant.parse(n.get(field).asText()) : null;
    }

    private static Weights weights(JsonNode n) {
        Map<String, Double> named = new HashMap<>(Weights.DEFAULT.getNamed());
        n.path("named").fields().forEachRemaining(e -> named.put(e.getKey(), e.getValue().asDouble()));
        return new Weights(n.path("version").asText("scenario"), n.path("recency").asDouble(Weights.DEFAULT.getRecency()),
                n.path("depth").asDouble(Weights.DEFAULT.getDepth()), n.path("conversion").asDouble(Weights.DEFAULT.getConversion()), named);
    }
}
