package dev.kairos.rules.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.rules.engine.PackDiff;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.engine.RuleSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The rule lifecycle from a terminal: {@code upload}, {@code status}, {@code promote},
 * {@code rollback} and {@code diff}, talking to the rules server at {@code KAIROS_URL} (default
 * {@code http://localhost:8080}) with {@code KAIROS_ADMIN_KEY}. Exit codes: 0 done, 1 the server
 * refused (the pack does not compile, a conflicting change, an unknown version), 2 a usage
 * problem, 3 the server could not be reached, refused the key or failed.
 */
final class RemoteCommands {
    private RemoteCommands() { }

    /** Where the server is and the key to use; the environment, unless given here. */
    static final class Connection {
        @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:KAIROS_URL:-http://localhost:8080}",
                description = "The rules server (default: $KAIROS_URL, else ${DEFAULT-VALUE}).")
        String url;

        @Option(names = "--admin-key", paramLabel = "KEY", defaultValue = "${env:KAIROS_ADMIN_KEY}",
                description = "The admin key (default: $KAIROS_ADMIN_KEY; prefer the variable: arguments show in process lists).")
        String adminKey;

        Remote remote() throws Remote.Failure {
            return new Remote(url, adminKey);
        }
    }

    /** Runs {@code body}, printing a failure and returning its exit code. */
    static int guarded(CommandLine.Model.CommandSpec spec, Body body) {
        try {
            return body.run();
        } catch (Remote.Failure f) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("kairos rules " + spec.name() + ": " + f.getMessage());
            if (f.body != null) {
                for (JsonNode p : f.body.path("problems")) err.println(problem(p));
            }
            return f.exitCode;
        } catch (java.io.IOException e) {
            spec.commandLine().getErr().println("kairos rules " + spec.name() + ": " + e.getMessage());
            return Remote.USAGE;
        }
    }

    interface Body {
        int run() throws Remote.Failure, java.io.IOException;
    }

    /** A problem as {@code file:line:column: kind: message}, like {@code kairos rules validate}. */
    static String problem(JsonNode p) {
        return p.path("file").asText("?") + ":" + p.path("line").asInt() + ":" + p.path("column").asInt() + ": "
                + p.path("kind").asText("error") + ": " + p.path("message").asText();
    }

    static void printState(PrintWriter out, JsonNode s) {
        out.println("active:  " + s.path("active").asText("-"));
        if (s.hasNonNull("canary")) {
            out.println(String.format(Locale.ROOT, "canary:  %s (%.1f %% of users)", s.get("canary").asText(), s.path("canaryPercent").asDouble()));
        } else {
            out.println("canary:  none");
        }
        if (s.has("revision")) out.println("revision: " + s.get("revision").asLong());
        JsonNode changes = s.path("changes");
        if (changes.size() > 0) {
            out.println("last changes:");
            for (int i = Math.max(0, changes.size() - 5); i < changes.size(); i++) {
                JsonNode c = changes.get(i);
                out.println("  " + c.path("at").asText() + "  " + c.path("action").asText() + " " + c.path("version").asText()
                        + (c.path("reason").asText("").isEmpty() ? "" : "  (" + c.path("reason").asText() + ")"));
            }
        }
    }

    @Command(name = "upload", description = "Upload the .drl files of a folder as a new rules version; optionally canary it.")
    static final class Upload implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin Connection connection;
        @Parameters(index = "0", paramLabel = "DRL_FOLDER", description = "Folder with .drl files.") Path dir;
        @Option(names = "--canary", paramLabel = "PCT", description = "Serve the new version to PCT %% of users (0 < PCT <= 100).") Double canary;
        @Option(names = "--note", paramLabel = "TEXT", description = "A description of the version (at most 1000 characters).") String note;
        @Option(names = "--with-defaults", description = "Upload the folder together with the default pack (a version is the whole pack: without this, "
                + "placements your files do not answer get no default).") boolean withDefaults;

        @Override
        public Integer call() {
            return guarded(spec, () -> {
                PrintWriter out = spec.commandLine().getOut();
                if (canary != null && !(canary > 0 && canary <= 100)) {
                    throw new Remote.Failure(Remote.USAGE, "--canary must be more than 0 and at most 100, was " + canary, null);
                }
                RulePack pack = RulePack.fromDirectory(dir);
                if (pack.sources().isEmpty()) throw new Remote.Failure(Remote.USAGE, "no .drl files in " + dir, null);
                if (withDefaults) pack = RulesCli.withDefaults(pack);
                Remote remote = connection.remote();
                ObjectNode body = Remote.object();
                if (note != null) body.put("description", note);
                ObjectNode files = body.putObject("files");
                long bytes = 0;
                for (RuleSource s : pack.sources()) {
                    files.put(s.name(), s.drl());
                    bytes += s.drl().getBytes(StandardCharsets.UTF_8).length;
                }
                out.println(String.format(Locale.ROOT, "uploading %d file(s), %.1f KB, to %s ...", pack.sources().size(), bytes / 1024.0, remote.url()));
                out.flush();
                JsonNode version;
                try {
                    version = remote.post("/v1/rules/versions", body);
                } catch (Remote.Failure f) {
                    if (f.body != null && f.body.path("problems").size() > 0) {
                        throw new Remote.Failure(f.exitCode, "the pack does not compile; nothing was stored (" + f.body.path("problems").size()
                                + " problem(s)):", f.body);
                    }
                    throw f;
                }
                String id = version.path("id").asText();
                out.println("uploaded " + id + ": " + version.path("rules").size() + " rule(s), sha256 "
                        + version.path("sha256").asText().substring(0, Math.min(12, version.path("sha256").asText().length())));
                for (JsonNode w : version.path("warnings")) out.println(problem(w));
                if (canary != null) {
                    JsonNode state = remote.post("/v1/rules/versions/" + id + "/activate", Remote.object().put("canaryPercent", canary));
                    out.println(String.format(Locale.ROOT, "%s is in canary for %.1f %% of users", id, canary));
                    printState(out, state);
                } else {
                    out.println("not serving yet: ./kairos rules upload " + dir + " --canary 10, or POST /v1/rules/versions/" + id + "/activate");
                }
                return 0;
            });
        }
    }

    @Command(name = "status", description = "Which rules versions serve now, and the last routing changes.")
    static final class Status implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin Connection connection;

        @Override
        public Integer call() {
            return guarded(spec, () -> {
                printState(spec.commandLine().getOut(), connection.remote().get("/v1/rules/state"));
                return 0;
            });
        }
    }

    @Command(name = "promote", description = "Make the canary version active for everyone.")
    static final class Promote implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin Connection connection;

        @Override
        public Integer call() {
            return guarded(spec, () -> {
                JsonNode state = connection.remote().post("/v1/rules/promote", null);
                spec.commandLine().getOut().println("promoted: " + state.path("active").asText() + " serves everyone");
                printState(spec.commandLine().getOut(), state);
                return 0;
            });
        }
    }

    @Command(name = "rollback", description = "End the canary, or go back to the previously active version.")
    static final class Rollback implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin Connection connection;

        @Override
        public Integer call() {
            return guarded(spec, () -> {
                JsonNode state = connection.remote().post("/v1/rules/rollback", null);
                spec.commandLine().getOut().println("rolled back: " + state.path("active").asText() + " serves everyone");
                printState(spec.commandLine().getOut(), state);
                return 0;
            });
        }
    }

    @Command(name = "why", description = "Why a rule fired or not for a user: the first condition that did not hold, with the values the facts had.")
    static final class Why implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin Connection connection;
        @Parameters(index = "0", paramLabel = "RULE", description = "The rule's name, in quotes.") String rule;
        @Parameters(index = "1", paramLabel = "REQUEST", description = "A file with the body of a decide request for the user (JSON).") Path request;
        @Option(names = "--version", paramLabel = "ID", description = "The rules version (default: the one serving the user).") String version;

        @Override
        public Integer call() {
            return guarded(spec, () -> {
                JsonNode body;
                try {
                    body = Remote.JSON.readTree(java.nio.file.Files.readString(request));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new Remote.Failure(Remote.USAGE, request + " is not JSON: " + e.getOriginalMessage(), null);
                }
                ObjectNode ask = Remote.object().put("rule", rule);
                ask.set("request", body);
                if (version != null) ask.put("version", version);
                JsonNode answer = connection.remote().post("/v1/rules/why", ask);
                PrintWriter out = spec.commandLine().getOut();
                out.println(answer.path("explanation").asText() + " [version " + answer.path("version").asText() + "]");
                if (answer.path("holdout").asBoolean()) out.println("the user is in an experiment holdout: only pack defaults can win");
                return answer.path("fired").asBoolean() ? 0 : 1;
            });
        }
    }

    @Command(name = "diff", description = "What changed between two stored rules versions, as a unified diff per file.")
    static final class Diff implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin Connection connection;
        @Parameters(index = "0", paramLabel = "FROM", description = "A version id, e.g. v2.") String from;
        @Parameters(index = "1", paramLabel = "TO", description = "A version id, e.g. v3.") String to;

        @Override
        public Integer call() {
            return guarded(spec, () -> {
                PrintWriter out = spec.commandLine().getOut();
                Remote remote = connection.remote();
                Map<String, String> a = files(remote.get("/v1/rules/versions/" + enc(from)).path("files"));
                Map<String, String> b = files(remote.get("/v1/rules/versions/" + enc(to)).path("files"));
                List<PackDiff.FileDiff> diffs = PackDiff.between(from, a, to, b);
                for (PackDiff.FileDiff d : diffs) d.lines().forEach(out::println);
                int changed = diffs.size();
                out.println(changed == 0 ? "no differences between " + from + " and " + to
                        : changed + " file(s) differ between " + from + " and " + to);
                return 0;
            });
        }

        private static String enc(String id) {
            return java.net.URLEncoder.encode(id, StandardCharsets.UTF_8);
        }

        private static Map<String, String> files(JsonNode node) {
            Map<String, String> out = new java.util.LinkedHashMap<>();
            node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        }
    }
}
