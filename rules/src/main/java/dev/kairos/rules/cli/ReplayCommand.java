package dev.kairos.rules.cli;

import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompileResult;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.replay.Replay;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code kairos rules replay DIR --from 2026-11-01 --to 2026-11-08}: evaluates a candidate pack on
 * the decisions recorded in that window (the feedback service's {@code GET /v1/replay-log}, or an
 * exported NDJSON file with {@code --log}), and reports how many change, per placement and rule,
 * the first changed examples with both explanations, and an inverse-propensity estimate of the CTR
 * change with its interval. Progress goes to stderr; the last line of stdout is
 * {@code RESULT replayed=N changed=M est_ctr_delta=+x.xx% ci=[a,b]}.
 */
@Command(name = "replay", description = "Replay a candidate pack on recorded decisions and estimate what it changes.")
final class ReplayCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", paramLabel = "DRL_FOLDER", description = "The candidate pack.") Path dir;
    @Option(names = "--from", paramLabel = "DAY", description = "First day (UTC, e.g. 2026-11-01) or instant; default: 7 days before --to.") String from;
    @Option(names = "--to", paramLabel = "DAY", description = "Day after the last (UTC, exclusive, e.g. 2026-11-08) or instant; default: now.") String to;
    @Option(names = "--with-defaults", description = "Replay the folder together with the default pack.") boolean withDefaults;
    @Option(names = "--log", paramLabel = "FILE", description = "Read recorded decisions from an NDJSON file (GET /v1/replay-log) instead of the feedback service.") Path log;
    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000000", description = "At most N decisions (default 1,000,000).") long limit;
    @Option(names = "--examples", paramLabel = "N", defaultValue = "5", description = "Changed examples to show (default 5).") int examples;
    @Option(names = "--threads", paramLabel = "N", description = "Evaluation threads (default: the number of cores).") Integer threads;
    @Option(names = "--feedback-url", paramLabel = "URL", defaultValue = "${env:KAIROS_FEEDBACK_URL:-http://localhost:8081}",
            description = "The feedback service (default: $KAIROS_FEEDBACK_URL or http://localhost:8081).") String feedbackUrl;
    @Option(names = "--admin-key", paramLabel = "KEY", defaultValue = "${env:KAIROS_ADMIN_KEY}",
            description = "The admin key (default: $KAIROS_ADMIN_KEY).") String adminKey;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Instant end;
        Instant start;
        try {
            end = to == null ? Instant.now() : day(to);
            start = from == null ? end.minus(Duration.ofDays(7)) : day(from);
        } catch (DateTimeParseException e) {
            err.println("kairos rules replay: --from and --to take a day such as 2026-11-01 or an instant such as 2026-11-01T00:00:00Z");
            return Remote.USAGE;
        }
        if (!start.isBefore(end)) {
            err.println("kairos rules replay: --from must be before --to");
            return Remote.USAGE;
        }
        if (limit < 1 || examples < 0 || threads != null && threads < 1) {
            err.println("kairos rules replay: --limit and --threads must be positive, --examples not negative");
            return Remote.USAGE;
        }
        RulePack pack = RulePack.fromDirectory(dir);
        if (pack.sources().isEmpty()) {
            err.println("kairos rules replay: no .drl files in " + dir);
            return Remote.USAGE;
        }
        if (withDefaults) pack = RulesCli.withDefaults(pack);
        try (RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT)) {
            CompileResult compiled = compiler.compile("candidate", pack);
            if (!compiled.ok()) {
                compiled.problems().forEach(out::println);
                out.println("the candidate does not compile");
                return 1;
            }
            try (CompiledRules candidate = compiled.orThrow(); InputStream in = open(start, end, err)) {
                if (in == null) return Remote.UNREACHABLE;
                long began = System.nanoTime();
                long[] lastShown = {0};
                Replay.Report r = new Replay(candidate, threads == null ? Runtime.getRuntime().availableProcessors() : threads, examples)
                        .run(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16), read -> {
                            long now = System.nanoTime();
                            if (now - lastShown[0] < 1_000_000_000L && read % 10_000 == 0) return;
                            lastShown[0] = now;
                            double seconds = Math.max(1e-9, (now - began) / 1e9);
                            err.printf(Locale.ROOT, "\rreplayed %,d decisions (%,.0f/s)", read, read / seconds);
                            err.flush();
                        });
                err.println();
                print(out, r, log != null ? "from " + log : "from " + start + " to " + end, (System.nanoTime() - began) / 1e9);
                return 0;
            }
        }
    }

    /** The recorded decisions: the file, or the feedback service's export (null after printing why it could not be read). */
    private InputStream open(Instant start, Instant end, PrintWriter err) throws IOException, InterruptedException {
        if (log != null) return Files.newInputStream(log);
        if (adminKey == null || adminKey.isBlank()) {
            err.println("kairos rules replay: no admin key: set KAIROS_ADMIN_KEY (./kairos start prints it)");
            return null;
        }
        String base = feedbackUrl.endsWith("/") ? feedbackUrl.substring(0, feedbackUrl.length() - 1) : feedbackUrl;
        URI uri = URI.create(base + "/v1/replay-log?from=" + enc(start.toString()) + "&to=" + enc(end.toString()) + "&limit=" + limit);
        HttpResponse<InputStream> r;
        try {
            r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + adminKey.trim()).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            err.println("kairos rules replay: cannot reach the feedback service at " + base + " (is it running? or set KAIROS_FEEDBACK_URL)");
            return null;
        }
        if (r.statusCode() != 200) {
            String body = new String(r.body().readNBytes(2000), StandardCharsets.UTF_8);
            r.body().close();
            err.println("kairos rules replay: the feedback service answered HTTP " + r.statusCode() + ": " + body);
            return null;
        }
        return r.body();
    }

    private static void print(PrintWriter out, Replay.Report r, String source, double seconds) {
        out.printf(Locale.ROOT, "replayed %,d recorded decisions %s in %.1f s (%,.0f/s)%n", r.replayed(), source, seconds,
                r.replayed() / Math.max(seconds, 1e-9));
        if (r.unreadable() > 0) out.printf(Locale.ROOT, "%,d recorded decisions could not be replayed (no facts, or facts of another format)%n", r.unreadable());
        out.printf(Locale.ROOT, "%,d decisions change (%.1f %%)%n", r.changed(), r.replayed() == 0 ? 0.0 : 100.0 * r.changed() / r.replayed());
        out.println();
        out.println("per placement (placements replayed, changed):");
        for (Map.Entry<String, Replay.PlacementCount> e : r.placements().entrySet()) {
            out.printf(Locale.ROOT, "  %-24s %,10d %,10d%n", e.getKey(), e.getValue().units(), e.getValue().changed());
        }
        if (!r.transitions().isEmpty()) {
            out.println("per rule (what was shown -> what the candidate shows):");
            r.transitions().entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(20)
                    .forEach(e -> out.printf(Locale.ROOT, "  %,10d  %s%n", e.getValue(), e.getKey()));
        }
        if (!r.examples().isEmpty()) {
            out.println("examples:");
            for (Replay.Example x : r.examples()) {
                out.printf("  decision %s, %s%n", x.decisionId(), x.placement());
                out.printf("    logged:    rule \"%s\" showed %s%s%n", x.loggedRule(), x.loggedContent(), x.loggedEngaged() ? " (engaged)" : "");
                out.printf("    candidate: rule \"%s\" shows %s: %s%n", x.candidateRule(), x.candidateContent(), x.candidateWhy());
            }
        }
        out.println();
        out.printf(Locale.ROOT, "CTR of the logged decisions: %.2f %% over %,d shown placements%n", r.loggedCtr() * 100, r.shown());
        out.printf(Locale.ROOT, "estimated CTR change (inverse propensity scoring): %+.2f pp, 95 %% CI [%+.2f, %+.2f]%n",
                r.estCtrDelta() * 100, r.ciLow() * 100, r.ciHigh() * 100);
        if (r.shown() == 0) {
            out.println("warning: no shown placements in the window: there is nothing to estimate the CTR from");
        } else if (r.overlap() < 0.9) {
            out.printf(Locale.ROOT, "warning: low overlap: the candidate keeps what was shown for only %.1f %% of the shown placements. "
                    + "The logs have no exploration for the rest (the rules decided with propensity 1), so they count as no engagement "
                    + "and the estimate is a pessimistic bound. Canary the candidate to measure it.%n", r.overlap() * 100);
        }
        out.println(r.resultLine());
    }

    private static Instant day(String value) {
        String v = value.strip();
        if (v.length() == 10) return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
        return Instant.parse(v);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
