package dev.kairos.rules.engine;

import dev.kairos.rules.lint.PackLinter;
import dev.kairos.rules.policy.PackPolicy;
import dev.kairos.rules.engine.internal.RuleInfo;
import org.drools.base.definitions.rule.impl.RuleImpl;
import org.drools.drl.ast.descr.FunctionImportDescr;
import org.drools.drl.ast.descr.ImportDescr;
import org.drools.drl.ast.descr.PackageDescr;
import org.drools.io.DescrResource;
import org.drools.drl.parser.DrlParser;
import org.drools.drl.parser.DroolsError;
import org.drools.drl.parser.DroolsParserException;
import org.drools.drl.parser.ParserError;
import org.drools.kiesession.rulebase.InternalKnowledgeBase;
import org.drools.kiesession.rulebase.KnowledgeBaseFactory;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;
import org.kie.api.io.ResourceType;
import org.kie.internal.builder.KnowledgeBuilder;
import org.kie.internal.builder.KnowledgeBuilderError;
import org.kie.internal.builder.KnowledgeBuilderFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Compiles a {@link RulePack} into {@link CompiledRules}. Every file is read once: size limits, the
 * raw-text checks of {@link PackPolicy#precheck}, the Drools DRL parser (syntax errors with line and
 * column), then the allow-list of {@link PackPolicy#check} over the parsed descriptors. Only a pack
 * that passed all of them is built, from those very descriptors (no second parse that could read
 * the text differently), into a Drools knowledge base from plain DRL (drools-mvel) within a time
 * limit. Building a checked pack runs none of its code: annotation values are plain text, there are
 * no declared types, functions or globals, and the consequences are only compiled.
 *
 * <pre>CompileResult r = new RuleCompiler(CompileLimits.DEFAULT).compile("v2", RulePack.defaults());
 *if (!r.ok()) r.problems().forEach(System.err::println);</pre>
 *
 * The functions of {@link dev.kairos.rules.Actions} and the fact model classes are imported into
 * every package automatically, and the built-in segment rules ({@code dev/kairos/rules/segments/segments.drl},
 * package {@link #SEGMENTS_PACKAGE}) are compiled into every version; {@link CompileResult#ruleNames()}
 * lists the pack's own rules. Thread-safe; compilations run one at a time on a daemon thread with a
 * large stack, so no input can overflow the caller's.
 */
public final class RuleCompiler implements AutoCloseable {
    private static final java.util.regex.Pattern LINE_COLUMN = java.util.regex.Pattern.compile("\\[Line: (\\d+), Column: (\\d+)]");
    private static final java.util.regex.Pattern ERROR_DETAIL = java.util.regex.Pattern.compile("\\[Error: ([^\\]]+)]");

    /** Package of the built-in segment rules compiled into every version. */
    public static final String SEGMENTS_PACKAGE = "dev.kairos.rules.segments";
    private static final String BUILT_IN_SEGMENTS = readResource("dev/kairos/rules/segments/segments.drl");
    private static final long COMPILER_STACK_BYTES = 64L << 20;

    private final CompileLimits limits;
    private final PackPolicy policy;
    private final ExecutorService executor;

    /** A compiler that checks every pack with {@link PackPolicy#standard()}. */
    public RuleCompiler(CompileLimits limits) {
        this(limits, PackPolicy.standard());
    }

    /**
     * A compiler with its own policy. Only tests pass anything but {@link PackPolicy#standard()}
     * (to get a deliberately bad rule past the check and prove the run-time defences).
     */
    public RuleCompiler(CompileLimits limits, PackPolicy policy) {
        this.limits = limits;
        this.policy = java.util.Objects.requireNonNull(policy, "policy");
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "kairos-rule-compiler", COMPILER_STACK_BYTES);
            t.setDaemon(true);
            return t;
        });
    }

    /** The limits this compiler enforces (also on evaluation: {@link CompileLimits#maxFirings()}). */
    public CompileLimits limits() { return limits; }

    /** Checks {@code pack} without keeping a knowledge base; same problems as {@link #compile}. */
    public CompileResult validate(RulePack pack) {
        return validate(pack, PackLinter.Known.offline());
    }

    /** Checks {@code pack} without keeping a knowledge base, with warnings against {@code known} names. */
    public CompileResult validate(RulePack pack, PackLinter.Known known) {
        CompileResult r = compile("validation", pack, known);
        r.rules().ifPresent(CompiledRules::close);
        return new CompileResult(Optional.empty(), r.problems(), r.ruleNames(), r.warnings());
    }

    /** Compiles {@code pack} as rules version {@code version}; warnings against the offline known names. */
    public CompileResult compile(String version, RulePack pack) {
        return compile(version, pack, PackLinter.Known.offline());
    }

    /** Compiles {@code pack} as rules version {@code version}; warnings (for a pack that compiles) against {@code known} names. */
    public CompileResult compile(String version, RulePack pack, PackLinter.Known known) {
        List<RuleProblem> problems = new ArrayList<>();
        if (pack.drlSources().isEmpty()) {
            problems.add(new RuleProblem(null, 0, 0, "limit", "the pack has no DRL files"));
            return failed(problems);
        }
        long size = pack.sizeBytes();
        if (size > limits.maxDrlBytes()) {
            problems.add(new RuleProblem(null, 0, 0, "limit", "the pack is " + size + " bytes; the limit is " + limits.maxDrlBytes()));
            return failed(problems);
        }
        Future<CompileResult> future = executor.submit(() -> checkAndBuild(version, pack, known));
        try {
            return future.get(limits.compileTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            problems.add(new RuleProblem(null, 0, 0, "limit", "compilation took longer than " + limits.compileTimeout().toSeconds() + " s"));
            return failed(problems);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            problems.add(new RuleProblem(null, 0, 0, "limit", "compilation was interrupted"));
            return failed(problems);
        } catch (ExecutionException e) {
            problems.add(new RuleProblem(null, 0, 0, "compile", String.valueOf(e.getCause().getMessage())));
            return failed(problems);
        }
    }

    private CompileResult checkAndBuild(String version, RulePack pack, PackLinter.Known known) {
        List<RuleProblem> problems = new ArrayList<>();
        Map<RuleSource, PackageDescr> parsed = new java.util.LinkedHashMap<>();
        int ruleCount = 0;
        Map<String, Double> thresholds = pack.thresholdsSource().map(t -> thresholds(t, problems)).orElse(Map.of());
        PackCaps caps = pack.capsSource().map(c -> caps(c, problems)).orElse(PackCaps.NONE);
        Map<String, String> receivers = pack.triggersSource().map(t -> receivers(t, problems)).orElse(Map.of());
        for (RuleSource source : pack.drlSources()) {
            List<RuleProblem> raw = policy.precheck(source.name(), source.drl());
            if (!raw.isEmpty()) {
                problems.addAll(raw);
                continue;
            }
            PackageDescr descr;
            try {
                descr = parse(source, problems);
            } catch (StackOverflowError e) {
                problems.add(new RuleProblem(source.name(), 0, 0, "limit", "the file is nested too deeply to be read"));
                continue;
            }
            if (descr == null) continue;
            problems.addAll(policy.check(source.name(), source.drl(), descr));
            parsed.put(source, descr);
            ruleCount += descr.getRules().size();
        }
        if (ruleCount > limits.maxRules()) {
            problems.add(new RuleProblem(null, 0, 0, "limit", "the pack has " + ruleCount + " rules; the limit is " + limits.maxRules()));
        }
        if (!problems.isEmpty()) return failed(problems);
        List<PackLinter.ParsedFile> files = new ArrayList<>();
        parsed.forEach((source, descr) -> files.add(new PackLinter.ParsedFile(source.name(), source.drl(), descr)));
        List<RuleProblem> warnings; // linted before build: the compiler adds imports to the descriptors
        try {
            warnings = PackLinter.lint(files, known, thresholds.keySet());
        } catch (RuntimeException | StackOverflowError e) {
            // warnings are advice: a pack the linter cannot read is still a valid pack
            warnings = List.of(new RuleProblem(null, 0, 0, "warning", "the pack could not be checked for warnings (" + e.getClass().getSimpleName() + ")"));
        }
        try {
            CompileResult built = build(version, parsed, thresholds, caps,
                    pack.drlSources().stream().anyMatch(src -> src.drl().contains("BaseItem")));
            built.rules().ifPresent(r -> r.triggerReceivers(receivers));
            boolean nextBest = pack.drlSources().stream().anyMatch(src -> src.drl().contains("NextBestAction"));
            built.rules().ifPresent(r -> r.matchesNextBest(nextBest));
            return new CompileResult(built.rules(), built.problems(), built.ruleNames(), built.ok() ? warnings : List.of());
        } catch (StackOverflowError e) {
            return failed(List.of(new RuleProblem(null, 0, 0, "limit", "the pack is nested too deeply to be compiled")));
        }
    }

    /** Parses one file with the Drools DRL parser; null (and problems) when it has syntax errors. */
    private static PackageDescr parse(RuleSource source, List<RuleProblem> problems) {
        DrlParser parser = new DrlParser();
        PackageDescr descr;
        try {
            descr = parser.parse(false, source.drl());
        } catch (DroolsParserException e) {
            problems.add(new RuleProblem(source.name(), e.getLineNumber(), e.getColumn(), "syntax", e.getMessage()));
            return null;
        }
        if (parser.hasErrors() || descr == null) {
            for (DroolsError error : parser.getErrors()) problems.add(syntaxProblem(toProblem(source.name(), error, "syntax"), source.drl()));
            if (parser.getErrors().isEmpty()) problems.add(new RuleProblem(source.name(), 0, 0, "syntax", "the file could not be parsed"));
            return null;
        }
        return descr;
    }

    /** Most thresholds a pack may declare. */
    public static final int MAX_THRESHOLDS = 200;
    private static final java.util.regex.Pattern THRESHOLD_NAME = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    private static final com.fasterxml.jackson.databind.ObjectMapper YAML =
            new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());

    /** The pack's thresholds ({@code name: number} per line); problems for anything else. */
    static Map<String, Double> thresholds(RuleSource file, List<RuleProblem> problems) {
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = YAML.readTree(file.drl());
        } catch (java.io.IOException e) {
            com.fasterxml.jackson.core.JsonLocation at = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getLocation() : null;
            problems.add(new RuleProblem(file.name(), at == null ? 0 : Math.max(0, at.getLineNr()), at == null ? 0 : Math.max(0, at.getColumnNr()),
                    "syntax", "not YAML: " + clean(String.valueOf(e.getMessage()))));
            return Map.of();
        }
        if (root == null || root.isMissingNode() || root.isNull()) return Map.of();
        if (!root.isObject()) {
            problems.add(new RuleProblem(file.name(), 1, 1, "syntax", "thresholds are lines of name: number, such as highIntent: 0.8"));
            return Map.of();
        }
        Map<String, Double> out = new java.util.TreeMap<>();
        String[] lines = file.drl().split("\n", -1);
        root.fields().forEachRemaining(e -> {
            int line = 0;
            for (int i = 0; i < lines.length; i++) if (lines[i].stripLeading().startsWith(e.getKey())) { line = i + 1; break; }
            if (!THRESHOLD_NAME.matcher(e.getKey()).matches()) {
                problems.add(new RuleProblem(file.name(), line, 1, "syntax", "'" + e.getKey() + "' is not a threshold name: a letter, then letters, digits or _ (at most 64)"));
            } else if (!e.getValue().isNumber() || !Double.isFinite(e.getValue().asDouble())) {
                problems.add(new RuleProblem(file.name(), line, 1, "syntax", "threshold '" + e.getKey() + "' must be a number, such as " + e.getKey() + ": 0.8"));
            } else {
                out.put(e.getKey(), e.getValue().asDouble());
            }
        });
        if (out.size() > MAX_THRESHOLDS) {
            problems.add(new RuleProblem(file.name(), 0, 0, "limit", "the pack declares " + out.size() + " thresholds; the limit is " + MAX_THRESHOLDS));
        }
        return out;
    }

    /** The pack's caps ({@code placements: {name: "N/duration"}}, {@code global: "N/duration"}); problems for anything else. */
    static PackCaps caps(RuleSource file, List<RuleProblem> problems) {
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = YAML.readTree(file.drl());
        } catch (java.io.IOException e) {
            problems.add(new RuleProblem(file.name(), 0, 0, "syntax", "not YAML: " + clean(String.valueOf(e.getMessage()))));
            return PackCaps.NONE;
        }
        if (root == null || root.isMissingNode() || root.isNull()) return PackCaps.NONE;
        String[] lines = file.drl().split("\\n", -1);
        java.util.function.Function<String, Integer> lineOf = key -> {
            for (int i = 0; i < lines.length; i++) if (lines[i].stripLeading().startsWith(key)) return i + 1;
            return 0;
        };
        if (!root.isObject()) {
            problems.add(new RuleProblem(file.name(), 1, 1, "syntax", "caps.yaml holds placements: {name: \"N/duration\"} and global: \"N/duration\""));
            return PackCaps.NONE;
        }
        Map<String, DeliveryLimits> placements = new java.util.TreeMap<>();
        DeliveryLimits global = null;
        for (var it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            try {
                switch (e.getKey()) {
                    case "global" -> global = DeliveryLimits.cap(e.getValue().asText());
                    case "placements" -> {
                        if (!e.getValue().isObject()) throw new IllegalArgumentException("placements is a map of placement name to \"N/duration\"");
                        for (var p = e.getValue().fields(); p.hasNext(); ) {
                            var pe = p.next();
                            try {
                                placements.put(pe.getKey(), DeliveryLimits.cap(pe.getValue().asText()));
                            } catch (IllegalArgumentException ex) {
                                problems.add(new RuleProblem(file.name(), lineOf.apply(pe.getKey()), 1, "syntax",
                                        "placement " + pe.getKey() + ": " + ex.getMessage().replace("@frequencyCap", "a cap")));
                            }
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown setting '" + e.getKey() + "'; caps.yaml holds placements and global");
                }
            } catch (IllegalArgumentException ex) {
                problems.add(new RuleProblem(file.name(), lineOf.apply(e.getKey()), 1, "syntax", ex.getMessage().replace("@frequencyCap", "a cap")));
            }
        }
        return new PackCaps(placements, global);
    }

    private static final java.util.regex.Pattern RECEIVER = java.util.regex.Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    /**
     * The pack's {@code triggers.yaml}: {@code receivers: {email: brand_a_email, push: ...}}, which
     * operator-named receiver gets each channel's triggers (URLs stay in the operator's settings,
     * never in a pack). Problems name the line.
     */
    static Map<String, String> receivers(RuleSource file, List<RuleProblem> problems) {
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = YAML.readTree(file.drl());
        } catch (java.io.IOException e) {
            problems.add(new RuleProblem(file.name(), 0, 0, "syntax", "not YAML: " + clean(String.valueOf(e.getMessage()))));
            return Map.of();
        }
        if (root == null || root.isMissingNode() || root.isNull()) return Map.of();
        String[] lines = file.drl().split("\\n", -1);
        java.util.function.Function<String, Integer> lineOf = key -> {
            for (int i = 0; i < lines.length; i++) if (lines[i].stripLeading().startsWith(key)) return i + 1;
            return 0;
        };
        Map<String, String> out = new java.util.TreeMap<>();
        if (!root.isObject()) {
            problems.add(new RuleProblem(file.name(), 1, 1, "syntax", "triggers.yaml holds receivers: {channel: receiver name}"));
            return out;
        }
        for (var it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getKey().equals("receivers")) {
                problems.add(new RuleProblem(file.name(), lineOf.apply(e.getKey()), 1, "syntax", "unknown setting '" + e.getKey() + "'; triggers.yaml holds receivers"));
                continue;
            }
            if (!e.getValue().isObject()) {
                problems.add(new RuleProblem(file.name(), lineOf.apply(e.getKey()), 1, "syntax", "receivers is a map of channel (email, sms, push) to receiver name"));
                continue;
            }
            for (var r = e.getValue().fields(); r.hasNext(); ) {
                var re = r.next();
                if (!dev.kairos.rules.TriggerBuilder.CHANNELS.contains(re.getKey())) {
                    problems.add(new RuleProblem(file.name(), lineOf.apply(re.getKey()), 1, "syntax", "unknown channel '" + re.getKey() + "'; channels are email, sms and push"));
                } else if (!re.getValue().isTextual() || !RECEIVER.matcher(re.getValue().asText()).matches()) {
                    problems.add(new RuleProblem(file.name(), lineOf.apply(re.getKey()), 1, "syntax",
                            re.getKey() + ": a receiver name is 1-64 letters, digits, '_', '.' or '-' (the operator maps it to a URL)"));
                } else {
                    out.put(re.getKey(), re.getValue().asText());
                }
            }
        }
        return out;
    }

    private CompileResult build(String version, Map<RuleSource, PackageDescr> pack, Map<String, Double> thresholds, PackCaps caps, boolean matchesBase) {
        KnowledgeBuilder builder = KnowledgeBuilderFactory.newKnowledgeBuilder();
        List<PackageDescr> all = new ArrayList<>();
        Map<PackageDescr, String> files = new java.util.IdentityHashMap<>();
        pack.forEach((source, descr) -> {
            all.add(descr);
            files.put(descr, source.name());
        });
        PackageDescr segments = builtInSegments();
        all.add(segments);
        files.put(segments, "kairos-segments.drl");
        for (PackageDescr descr : all) {
            if (descr.getName() == null || descr.getName().isBlank()) descr.setNamespace("defaultpkg");
            descr.addImport(new ImportDescr("dev.kairos.rules.*"));
            for (String fn : new String[] {"adapt", "suppress", "fallback", "trigger", "choose"}) {
                FunctionImportDescr imp = new FunctionImportDescr();
                imp.setTarget("dev.kairos.rules.Actions." + fn);
                descr.addFunctionImport(imp);
            }
            DescrResource resource = new DescrResource(descr);
            resource.setSourcePath(files.get(descr));
            builder.add(resource, ResourceType.DESCR);
        }
        if (builder.hasErrors()) {
            // Drools reports one mistake several times (analysis, then each enclosing expression): keep the first per line.
            Map<String, RuleProblem> problems = new java.util.LinkedHashMap<>();
            for (KnowledgeBuilderError error : builder.getErrors()) {
                String file = error.getResource() == null ? null : error.getResource().getSourcePath();
                RuleProblem p = toProblem(file, error, "compile");
                problems.putIfAbsent(p.file() + ":" + p.line(), p);
            }
            return failed(new ArrayList<>(problems.values()));
        }
        InternalKnowledgeBase kieBase = KnowledgeBaseFactory.newKnowledgeBase();
        kieBase.addPackages(builder.getKnowledgePackages());
        Map<Rule, RuleInfo> infos = new IdentityHashMap<>();
        Map<String, DeliveryLimits> limits = new java.util.HashMap<>();
        List<String> names = new ArrayList<>();
        for (KiePackage kp : kieBase.getKiePackages()) {
            for (Rule rule : kp.getRules()) {
                // @description(...) is stored under the name of the annotation type Drools resolves it to
                Object description = rule.getMetaData().getOrDefault("description",
                        rule.getMetaData().get("org.kie.api.definition.type.Description"));
                int salience = rule instanceof RuleImpl impl && !impl.isSalienceDynamic() ? impl.getSalienceValue() : 0;
                infos.put(rule, new RuleInfo(rule.getName(), salience, description == null ? null : description.toString()));
                DeliveryLimits l = limits(rule);
                if (l != DeliveryLimits.NONE) limits.put(rule.getName(), l);
                if (!SEGMENTS_PACKAGE.equals(kp.getName())) names.add(rule.getName());
            }
        }
        names.sort(null);
        return new CompileResult(Optional.of(new CompiledRules(version, kieBase, infos, names, this.limits.maxFirings(), thresholds, limits, caps, matchesBase)),
                List.of(), names);
    }

    /** A rule's {@code @frequencyCap} and {@code @cooldownAfterDismiss} (checked by the policy already). */
    private static DeliveryLimits limits(Rule rule) {
        Object cap = rule.getMetaData().get("frequencyCap");
        Object cooldown = rule.getMetaData().get("cooldownAfterDismiss");
        if (cap == null && cooldown == null) return DeliveryLimits.NONE;
        DeliveryLimits l = cap == null ? DeliveryLimits.NONE : DeliveryLimits.cap(unquote(cap));
        return cooldown == null ? l : l.withCooldown(unquote(cooldown));
    }

    private static String unquote(Object value) {
        String s = String.valueOf(value).strip();
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    /** The built-in segment rules, parsed and checked like any pack (with the built-in policy). */
    private static PackageDescr builtInSegments() {
        List<RuleProblem> problems = new ArrayList<>();
        PackageDescr descr = parse(new RuleSource("kairos-segments.drl", BUILT_IN_SEGMENTS), problems);
        if (descr != null) problems.addAll(PackPolicy.builtIn().check("kairos-segments.drl", BUILT_IN_SEGMENTS, descr));
        if (!problems.isEmpty()) throw new IllegalStateException("the built-in segment rules do not pass: " + problems);
        return descr;
    }

    private static String readResource(String name) {
        try (java.io.InputStream in = RuleCompiler.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static RuleProblem toProblem(String file, Object error, String kind) {
        int line = 0;
        int column = 0;
        String message;
        if (error instanceof ParserError pe) {
            line = pe.getRow();
            column = pe.getCol() + 1;
            message = pe.getMessage();
        } else if (error instanceof KnowledgeBuilderError kbe) {
            int[] lines = kbe.getLines();
            if (lines != null && lines.length > 0) line = lines[0];
            message = kbe.getMessage();
            if (message != null) {
                java.util.regex.Matcher m = LINE_COLUMN.matcher(message);
                if (m.find() && Integer.parseInt(m.group(1)) == line) column = Integer.parseInt(m.group(2));
                String detail = ERROR_DETAIL.matcher(message).find() ? firstMatch(message) : null;
                message = message.lines().findFirst().orElse(message).replaceFirst(":$", "") + (detail == null ? "" : " (" + detail + ")");
            }
        } else {
            message = String.valueOf(error);
        }
        message = message == null ? "" : message;
        java.util.regex.Matcher at = PARSER_POSITION.matcher(message);
        if (line <= 0 && at.find()) {
            line = Integer.parseInt(at.group(1));
            column = Integer.parseInt(at.group(2)) + 1;
        }
        return new RuleProblem(file, Math.max(line, 0), Math.max(column, 0), kind, clean(message));
    }

    private static final java.util.regex.Pattern QUOTED = java.util.regex.Pattern.compile("'[^']*'");
    private static final java.util.regex.Pattern IN_RULE = java.util.regex.Pattern.compile("(in rule \"[^\"]*\")");
    private static final java.util.regex.Pattern PARSER_PREFIX = java.util.regex.Pattern.compile("^\\[?(?:ERR \\d+\\] )?Line \\d+:\\d+\\s*");

    /**
     * A Drools parser error as a marketer reads it: without the parser's own (0-based) position in
     * the text, and pointing at the offending place. When the parser stumbles on the first word of
     * a line (typically {@code then} after a pattern whose {@code (} was never closed), the place
     * to fix is the end of the line before: the problem says what is missing there.
     */
    static RuleProblem syntaxProblem(RuleProblem p, String drl) {
        String message = PARSER_PREFIX.matcher(p.message()).replaceFirst("")
                .replace("mismatched input", "unexpected")
                .replace("no viable alternative at input", "cannot read the text at");
        int offset = offset(drl, p.line(), p.column());
        if (offset < 0) return new RuleProblem(p.file(), p.line(), p.column(), p.kind(), message);
        int lineStart = drl.lastIndexOf('\n', offset - 1) + 1;
        boolean firstOnLine = drl.substring(lineStart, offset).isBlank();
        java.util.Deque<Integer> open = unclosedParentheses(drl, offset);
        if (firstOnLine && !open.isEmpty()) {
            int end = offset;
            while (end > 0 && Character.isWhitespace(drl.charAt(end - 1))) end--;
            SourcePositions positions = new SourcePositions(p.file(), drl);
            int[] at = positions.lineColumn(end);
            int[] opened = positions.lineColumn(open.peek());
            java.util.regex.Matcher token = QUOTED.matcher(message);
            java.util.regex.Matcher rule = IN_RULE.matcher(message);
            return new RuleProblem(p.file(), at[0], at[1], p.kind(), "missing ')' to close the '(' at " + opened[0] + ":" + opened[1]
                    + (token.find() ? ", before " + token.group() : "") + (rule.find() ? " (" + rule.group(1) + ")" : ""));
        }
        if (message.startsWith("unexpected '='")) message += "; compare with '=='";
        return new RuleProblem(p.file(), p.line(), p.column(), p.kind(), message);
    }

    /** Offset of a 1-based line and column in {@code text}; -1 when outside it. */
    private static int offset(String text, int line, int column) {
        if (line <= 0 || column <= 0) return -1;
        int at = 0;
        for (int l = 1; l < line; l++) {
            at = text.indexOf('\n', at);
            if (at < 0) return -1;
            at++;
        }
        int o = at + column - 1;
        return o <= text.length() ? o : -1;
    }

    /** Offsets of the '(' still open before {@code end}, innermost first (strings and comments skipped). */
    private static java.util.Deque<Integer> unclosedParentheses(String text, int end) {
        java.util.Deque<Integer> open = new java.util.ArrayDeque<>();
        for (int k = 0; k < end; k++) {
            char c = text.charAt(k);
            if (c == '"' || c == '\'') {
                for (k++; k < end && text.charAt(k) != c; k++) if (text.charAt(k) == '\\') k++;
            } else if (c == '/' && k + 1 < end && text.charAt(k + 1) == '/') {
                while (k < end && text.charAt(k) != '\n') k++;
            } else if (c == '/' && k + 1 < end && text.charAt(k + 1) == '*') {
                int close = text.indexOf("*/", k + 2);
                k = close < 0 ? end : close + 1;
            } else if (c == '(') {
                open.push(k);
            } else if (c == ')' && !open.isEmpty()) {
                open.pop();
            }
        }
        return open;
    }

    private static final java.util.regex.Pattern PARSER_POSITION = java.util.regex.Pattern.compile("^\\[?(?:ERR \\d+\\] )?Line (\\d+):(\\d+)");
    private static final java.util.regex.Pattern QUALIFIED_NAME = java.util.regex.Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)+([A-Z][A-Za-z0-9_$]*)");

    /**
     * A problem message fit for a marketer and safe to return over HTTP: the first line only, no
     * exception or stack trace Drools may append, and classes by their simple names.
     */
    static String clean(String message) {
        String m = message;
        for (String cut : new String[] {"\n", " Exception: ", "Exception:", " Stack trace:"}) {
            int i = m.indexOf(cut);
            if (i > 0) m = m.substring(0, i);
        }
        m = m.replace("unexpected exception at input", "cannot read the text at");
        m = QUALIFIED_NAME.matcher(m).replaceAll("$1");
        return m.strip().replaceFirst("[.:]$", "");
    }

    private static String firstMatch(String message) {
        java.util.regex.Matcher m = ERROR_DETAIL.matcher(message);
        return m.find() ? m.group(1).strip() : null;
    }

    private static CompileResult failed(List<RuleProblem> problems) {
        return new CompileResult(Optional.empty(), problems, List.of());
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
