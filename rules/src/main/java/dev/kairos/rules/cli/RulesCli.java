package dev.kairos.rules.cli;

import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompileResult;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.engine.RuleProblem;
import dev.kairos.rules.harness.ScenarioResult;
import dev.kairos.rules.lint.PackLinter;
import dev.kairos.rules.harness.ScenarioRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code kairos rules validate <drl-folder>} and {@code kairos rules test <scenario-folder> [--rules <drl-folder>]}
 * (offline), and {@code upload}, {@code status}, {@code promote}, {@code rollback}, {@code diff}
 * against a rules server ({@link RemoteCommands}). Exit code 0 when everything is valid and passes,
 * 1 when not (or the server refused), 2 on a usage error, 3 when the server could not be reached.
 */
@Command(name = "kairos rules", mixinStandardHelpOptions = true, version = "kairos-rules 0.1",
        description = "Validate and test Kairos rule packs, and upload, canary, promote, roll back and compare them on a rules server.",
        subcommands = {RulesCli.Validate.class, RulesCli.Test.class, RemoteCommands.Upload.class, RemoteCommands.Status.class,
                RemoteCommands.Promote.class, RemoteCommands.Rollback.class, RemoteCommands.Diff.class, RemoteCommands.Why.class, ReplayCommand.class})
public final class RulesCli implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given output streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new RulesCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            boolean usage = ex instanceof java.nio.file.NoSuchFileException || ex instanceof java.nio.file.NotDirectoryException
                    || ex instanceof java.io.IOException && String.valueOf(ex.getMessage()).contains("not a directory");
            cmd.getErr().println("kairos rules: " + (ex instanceof java.nio.file.NoSuchFileException ? "no such file or folder: " : "") + ex.getMessage());
            return usage ? 2 : 1;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    static RulePack pack(Path dir) throws Exception {
        return dir == null ? RulePack.defaults() : RulePack.fromDirectory(dir);
    }

    /** {@code pack} and the default pack's files; a file of the folder with a default file's name replaces it. */
    static RulePack withDefaults(RulePack pack) {
        java.util.Map<String, dev.kairos.rules.engine.RuleSource> files = new java.util.LinkedHashMap<>();
        for (dev.kairos.rules.engine.RuleSource s : RulePack.defaults().sources()) files.put(s.name(), s);
        for (dev.kairos.rules.engine.RuleSource s : pack.sources()) files.put(s.name(), s);
        return new RulePack(List.copyOf(files.values()));
    }

    @Command(name = "validate", description = "Compile every .drl file of a folder; print errors as file:line:column.")
    static final class Validate implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", paramLabel = "DRL_FOLDER", description = "Folder with .drl files.") Path dir;
        @Option(names = "--placements", split = ",", paramLabel = "NAME",
                description = "Placements of your app besides the default pack's (for the unknown-placement warning), comma-separated.")
        List<String> placements;
        @Option(names = "--with-defaults", description = "Validate the folder together with the default pack (as upload --with-defaults would store it).")
        boolean withDefaults;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT)) {
                RulePack pack = pack(dir);
                if (pack.sources().isEmpty()) {
                    out.println("no .drl files in " + dir);
                    return 1;
                }
                if (withDefaults) pack = withDefaults(pack);
                PackLinter.Known known = placements == null ? PackLinter.Known.offline() : PackLinter.Known.offline().withPlacements(placements);
                CompileResult result = compiler.validate(pack, known);
                if (result.problems().isEmpty()) {
                    result.warnings().forEach(out::println);
                    out.println("OK: " + pack.sources().size() + " files, " + result.ruleNames().size() + " rules"
                            + (result.warnings().isEmpty() ? "" : ", " + result.warnings().size() + " warning(s)"));
                    result.ruleNames().forEach(n -> out.println("  rule \"" + n + "\""));
                    return 0;
                }
                for (RuleProblem p : result.problems()) out.println(p);
                out.println(result.problems().size() + " problem(s)");
                return 1;
            }
        }
    }

    @Command(name = "test", description = "Run scenario files (.yaml/.json) against a rule pack.")
    static final class Test implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", paramLabel = "SCENARIOS", description = "Scenario file or folder.") Path scenarios;
        @Option(names = "--rules", paramLabel = "DRL_FOLDER",
                description = "Rule folder; it replaces the default pack (default: the built-in default pack).") Path rules;
        @Option(names = "--with-defaults", description = "With --rules: test the folder together with the default pack, as a version that keeps the defaults.")
        boolean withDefaults;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            if (withDefaults && rules == null) {
                spec.commandLine().getErr().println("kairos rules test: --with-defaults needs --rules DRL_FOLDER (without --rules the default pack is tested)");
                return 2;
            }
            try (RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT)) {
                RulePack pack = pack(rules);
                if (rules != null && withDefaults) {
                    pack = withDefaults(pack);
                    out.println("rules: " + rules + " with the default pack");
                } else if (rules != null) {
                    out.println("rules: " + rules + " only; the default pack is not included (add --with-defaults to test them together)");
                }
                CompileResult result = compiler.compile("test", pack);
                if (!result.ok()) {
                    result.problems().forEach(out::println);
                    out.println("rules did not compile");
                    return 1;
                }
                try (CompiledRules compiled = result.orThrow()) {
                    List<ScenarioResult> results = new ScenarioRunner(compiled, new dev.kairos.rules.engine.RuleExplainer(compiler, pack)).run(scenarios);
                    results.forEach(out::println);
                    long failed = results.stream().filter(r -> !r.passed()).count();
                    out.println((results.size() - failed) + " passed, " + failed + " failed");
                    return failed == 0 && !results.isEmpty() ? 0 : 1;
                }
            }
        }
    }
}
