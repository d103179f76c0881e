package dev.kairos.rules.engine;

import dev.kairos.rules.engine.internal.DrlPolicy;
import dev.kairos.rules.engine.internal.RuleInfo;
import org.drools.base.definitions.rule.impl.RuleImpl;
import org.drools.drl.ast.descr.PackageDescr;
import org.drools.drl.parser.DrlParser;
import org.drools.drl.parser.DroolsError;
import org.drools.drl.parser.DroolsParserException;
import org.drools.drl.parser.ParserError;
import org.drools.kiesession.rulebase.InternalKnowledgeBase;
import org.drools.kiesession.rulebase.KnowledgeBaseFactory;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;
import org.kie.api.io.Resource;
import org.kie.api.io.ResourceType;
import org.kie.internal.builder.KnowledgeBuilder;
import org.kie.internal.builder.KnowledgeBuilderError;
import org.kie.internal.builder.KnowledgeBuilderFactory;
import org.kie.internal.io.ResourceFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Compiles a {@link RulePack} into {@link CompiledRules}: checks size limits, parses every file
 * (syntax errors with line and column), enforces the fact-model policy, then builds a Drools
 * knowledge base from plain DRL (drools-mvel) within a time limit.
 *
 * <pre>CompileResult r = new RuleCompiler(CompileLimits.DEFAULT).compile("v2", RulePack.defaults());
 *if (!r.ok()) r.problems().forEach(System.err::println);</pre>
 *
 * The functions of {@link dev.kairos.rules.Actions} and the fact model classes are imported into
 * every package automatically, and the built-in segment rules ({@code dev/kairos/rules/segments/segments.drl},
 * package {@link #SEGMENTS_PACKAGE}) are compiled into every version; {@link CompileResult#ruleNames()}
 * lists the pack's own rules. Thread-safe; compilations run one at a time on a daemon thread.
 */
public final class RuleCompiler implements AutoCloseable {
    private static final String PRELUDE = """
            package %s;
            import dev.kairos.rules.*;
            import function dev.kairos.rules.Actions.adapt;
            import function dev.kairos.rules.Actions.suppress;
            import function dev.kairos.rules.Actions.fallback;
            """;

    private static final java.util.regex.Pattern LINE_COLUMN = java.util.regex.Pattern.compile("\\[Line: (\\d+), Column: (\\d+)]");
    private static final java.util.regex.Pattern ERROR_DETAIL = java.util.regex.Pattern.compile("\\[Error: ([^\\]]+)]");

    /** Package of the built-in segment rules compiled into every version. */
    public static final String SEGMENTS_PACKAGE = "dev.kairos.rules.segments";
    private static final String BUILT_IN_SEGMENTS = readResource("dev/kairos/rules/segments/segments.drl");

    private final CompileLimits limits;
    private final ExecutorService executor;

    public RuleCompiler(CompileLimits limits) {
        this.limits = limits;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kairos-rule-compiler");
            t.setDaemon(true);
            return t;
        });
    }

    /** The limits this compiler enforces (also on evaluation: {@link CompileLimits#maxFirings()}). */
    public CompileLimits limits() { return limits; }

    /** Checks {@code pack} without keeping a knowledge base; same problems as {@link #compile}. */
    public CompileResult validate(RulePack pack) {
        CompileResult r = compile("validation", pack);
        r.rules().ifPresent(CompiledRules::close);
        return new CompileResult(Optional.empty(), r.problems(), r.ruleNames());
    }

    /** Compiles {@code pack} as rules version {@code version}. */
    public CompileResult compile(String version, RulePack pack) {
        List<RuleProblem> problems = new ArrayList<>();
        if (pack.sources().isEmpty()) {
            problems.add(new RuleProblem(null, 0, 0, "limit", "the pack has no DRL files"));
            return failed(problems);
        }
        long size = pack.sizeBytes();
        if (size > limits.maxDrlBytes()) {
            problems.add(new RuleProblem(null, 0, 0, "limit", "the pack is " + size + " bytes; the limit is " + limits.maxDrlBytes()));
            return failed(problems);
        }
        Set<String> packages = new LinkedHashSet<>();
        int ruleCount = 0;
        for (RuleSource source : pack.sources()) {
            DrlParser parser = new DrlParser();
            PackageDescr descr;
            try {
                descr = parser.parse(false, source.drl());
            } catch (DroolsParserException e) {
                problems.add(new RuleProblem(source.name(), e.getLineNumber(), e.getColumn(), "syntax", e.getMessage()));
                continue;
            }
            if (parser.hasErrors() || descr == null) {
                for (DroolsError error : parser.getErrors()) problems.add(toProblem(source.name(), error, "syntax"));
                continue;
            }
            problems.addAll(DrlPolicy.check(source.name(), source.drl()));
            packages.add(descr.getName() == null || descr.getName().isBlank() ? "defaultpkg" : descr.getName());
            ruleCount += descr.getRules().size();
        }
        if (ruleCount > limits.maxRules()) {
            problems.add(new RuleProblem(null, 0, 0, "limit", "the pack has " + ruleCount + " rules; the limit is " + limits.maxRules()));
        }
        if (!problems.isEmpty()) return failed(problems);

        Future<CompileResult> future = executor.submit(() -> build(version, pack, packages));
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

    private CompileResult build(String version, RulePack pack, Set<String> packages) {
        KnowledgeBuilder builder = KnowledgeBuilderFactory.newKnowledgeBuilder();
        for (String pkg : packages) {
            builder.add(resource("kairos-prelude-" + pkg + ".drl", String.format(PRELUDE, pkg)), ResourceType.DRL);
        }
        packages.add(SEGMENTS_PACKAGE);
        builder.add(resource("kairos-prelude-" + SEGMENTS_PACKAGE + ".drl", String.format(PRELUDE, SEGMENTS_PACKAGE)), ResourceType.DRL);
        builder.add(resource("kairos-segments.drl", BUILT_IN_SEGMENTS), ResourceType.DRL);
        for (RuleSource source : pack.sources()) {
            builder.add(resource(source.name(), source.drl()), ResourceType.DRL);
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
        List<String> names = new ArrayList<>();
        for (KiePackage kp : kieBase.getKiePackages()) {
            for (Rule rule : kp.getRules()) {
                // @description(...) is stored under the name of the annotation type Drools resolves it to
                Object description = rule.getMetaData().getOrDefault("description",
                        rule.getMetaData().get("org.kie.api.definition.type.Description"));
                int salience = rule instanceof RuleImpl impl && !impl.isSalienceDynamic() ? impl.getSalienceValue() : 0;
                infos.put(rule, new RuleInfo(rule.getName(), salience, description == null ? null : description.toString()));
                if (!SEGMENTS_PACKAGE.equals(kp.getName())) names.add(rule.getName());
            }
        }
        names.sort(null);
        return new CompileResult(Optional.of(new CompiledRules(version, kieBase, infos, names, limits.maxFirings())), List.of(), names);
    }

    private static String readResource(String name) {
        try (java.io.InputStream in = RuleCompiler.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Resource resource(String name, String drl) {
        Resource r = ResourceFactory.newByteArrayResource(drl.getBytes(StandardCharsets.UTF_8));
        r.setSourcePath(name);
        r.setResourceType(ResourceType.DRL);
        return r;
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
        return new RuleProblem(file, Math.max(line, 0), Math.max(column, 0), kind, message == null ? "" : message.strip());
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
