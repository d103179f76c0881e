package dev.kairos.feedback.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stateful stand-in for rules-server's rule lifecycle at the HTTP boundary, for the dashboard's
 * browser test: versions with files, routing (active, canary and percentage, history, revision,
 * changes) that {@code activate}/{@code promote}/{@code rollback} change with rules-server's rules
 * (docs/api.md "Rule lifecycle"), and a line diff. The real rules-server behind the same feedback
 * endpoints is exercised in e2e ({@code DashboardRulesTest}).
 */
public final class RulesServerFake implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final Map<String, Map<String, String>> files = new LinkedHashMap<>();
    private final Map<String, List<String>> rules = new LinkedHashMap<>();
    private final List<ObjectNode> changes = new ArrayList<>();
    private final List<String> history = new ArrayList<>();
    private String active;
    private String canary;
    private double percent;
    private long revision;
    /** The version and body of the last replay asked for. */
    public volatile String lastReplay;

    public RulesServerFake() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/rules", this::handle);
        server.start();
    }

    /** Adds a stored version with one file and the given rule names. */
    public synchronized RulesServerFake version(String id, String file, String drl, List<String> ruleNames) {
        files.put(id, Map.of(file, drl));
        rules.put(id, ruleNames);
        return this;
    }

    /** Sets the routing as if {@code active} served and {@code canary} (nullable) ran at {@code percent}. */
    public synchronized RulesServerFake routing(String active, String canary, double percent) {
        this.active = active;
        this.canary = canary;
        this.percent = percent;
        return this;
    }

    /** Starts {@code version} as the canary now (logged like rules-server logs it, with a start time). */
    public synchronized RulesServerFake startCanary(String version, double percent, String at) {
        canary = version;
        this.percent = percent;
        revision++;
        changes.add(JSON.createObjectNode().put("at", at).put("action", "canary").put("version", version).put("by", "admin")
                .put("reason", percent + " % of users"));
        return this;
    }

    /** The routing changes so far (copies). */
    public synchronized List<JsonNode> changes() { return changes.stream().map(c -> (JsonNode) c.deepCopy()).toList(); }

    public synchronized String canary() { return canary; }

    public String url() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    private synchronized void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String method = x.getRequestMethod();
        JsonNode body = method.equals("POST") ? JSON.readTree(x.getRequestBody().readAllBytes()) : null;
        if (body != null && body.has("expectedRevision") && body.get("expectedRevision").asLong() != revision) {
            send(x, 409, error("conflict", "the routing changed meanwhile (revision " + revision + ")"));
            return;
        }
        if (method.equals("GET") && path.equals("/v1/rules/versions")) {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode versions = out.putArray("versions");
            for (String id : files.keySet()) {
                ObjectNode v = versions.addObject().put("id", id).put("status", status(id));
                rules.get(id).forEach(v.putArray("rules")::add);
            }
            out.set("state", state());
            send(x, 200, out);
        } else if (method.equals("GET") && path.startsWith("/v1/rules/versions/")) {
            String id = path.substring("/v1/rules/versions/".length());
            if (!files.containsKey(id)) { send(x, 404, error("not_found", "no rules version '" + id + "'")); return; }
            ObjectNode v = JSON.createObjectNode().put("id", id).put("status", status(id));
            files.get(id).forEach(v.putObject("files")::put);
            send(x, 200, v);
        } else if (method.equals("GET") && path.equals("/v1/rules/diff")) {
            Map<String, String> q = query(x.getRequestURI().getRawQuery());
            String from = q.get("from"), to = q.get("to");
            ObjectNode d = JSON.createObjectNode().put("from", from).put("to", to);
            ArrayNode list = d.putArray("files");
            for (String name : files.get(to).keySet()) {
                String a = files.get(from).getOrDefault(name, ""), b = files.get(to).get(name);
                if (a.equals(b)) continue;
                StringBuilder diff = new StringBuilder("--- " + from + "/" + name + "\n+++ " + to + "/" + name + "\n@@ -1 +1 @@");
                for (String l : a.split("\n")) diff.append("\n-").append(l);
                for (String l : b.split("\n")) diff.append("\n+").append(l);
                list.addObject().put("file", name).put("diff", diff.toString());
            }
            d.put("changed", list.size());
            send(x, 200, d);
        } else if (method.equals("POST") && path.endsWith("/replay")) {
            String id = path.substring("/v1/rules/versions/".length(), path.length() - "/replay".length());
            lastReplay = id + " " + body;
            ObjectNode r = JSON.createObjectNode().put("version", id).put("replayed", 1000).put("changed", 120).put("unreadable", 0);
            r.putObject("placements").putObject("home_banner").put("units", 1000).put("changed", 120);
            r.putObject("transitions").put("Evening offer -> Winter sale", 120);
            r.putArray("examples").addObject().put("decisionId", "d7").put("placement", "home_banner").put("loggedRule", "Evening offer")
                    .put("loggedContent", "deals").put("loggedEngaged", true).put("candidateRule", "Winter sale").put("candidateContent", "winter")
                    .put("candidateWhy", "best of 2 matching rules by priority, salience, name");
            r.put("shown", 900).put("loggedCtr", 0.05).put("estCtrDelta", -0.006).put("ciLow", -0.009).put("ciHigh", -0.003).put("overlap", 0.87)
                    .put("result", "RESULT replayed=1000 changed=120 est_ctr_delta=-0.60% ci=[-0.90%,-0.30%]");
            send(x, 200, r);
        } else if (method.equals("POST") && path.endsWith("/activate")) {
            String id = path.substring("/v1/rules/versions/".length(), path.length() - "/activate".length());
            if (id.equals(active)) { send(x, 409, error("already_active", id + " is already the active version")); return; }
            canary = id;
            percent = body.get("canaryPercent").asDouble();
            change("canary", id, percent + " % of users");
            send(x, 200, state());
        } else if (method.equals("POST") && path.equals("/v1/rules/promote")) {
            if (canary == null) { send(x, 409, error("no_canary", "there is no canary to promote")); return; }
            history.add(active);
            active = canary;
            canary = null;
            change("promote", active, null);
            send(x, 200, state());
        } else if (method.equals("POST") && path.equals("/v1/rules/rollback") && body.path("by").asText("admin").equals("guardrail")) {
            String version = body.path("version").asText();
            if (!version.equals(canary)) { send(x, 409, error("not_canary", version + " is not the canary")); return; }
            changeBy("auto-rollback", canary, body.path("reason").asText(), "guardrail");
            canary = null;
            send(x, 200, state());
        } else if (method.equals("POST") && path.equals("/v1/rules/rollback")) {
            if (canary != null) {
                change("rollback", canary, null);
                canary = null;
            } else if (!history.isEmpty()) {
                change("rollback", active, null);
                active = history.remove(history.size() - 1);
            } else {
                send(x, 409, error("nothing_to_roll_back", "no earlier active version to roll back to"));
                return;
            }
            send(x, 200, state());
        } else {
            send(x, 404, error("not_found", "no route " + method + " " + path));
        }
    }

    private String status(String id) {
        return id.equals(active) ? "active" : id.equals(canary) ? "canary" : history.contains(id) ? "previous" : "inactive";
    }

    private void change(String action, String version, String reason) {
        changeBy(action, version, reason, "admin");
    }

    private void changeBy(String action, String version, String reason, String by) {
        revision++;
        ObjectNode c = JSON.createObjectNode().put("at", "2026-12-0" + Math.min(9, changes.size() + 3) + "T10:00:00Z")
                .put("action", action).put("version", version).put("by", by);
        if (reason == null) c.putNull("reason");
        else c.put("reason", reason);
        changes.add(c);
        if (!action.equals("canary")) percent = canary == null ? 0 : percent;
    }

    private ObjectNode state() {
        ObjectNode s = JSON.createObjectNode().put("active", active);
        if (canary == null) s.putNull("canary");
        else s.put("canary", canary);
        s.put("canaryPercent", canary == null ? 0 : percent).put("revision", revision);
        history.forEach(s.putArray("history")::add);
        ArrayNode c = s.putArray("changes");
        changes.forEach(c::add);
        return s;
    }

    private static ObjectNode error(String code, String message) {
        ObjectNode e = JSON.createObjectNode();
        e.putObject("error").put("code", code).put("message", message);
        return e;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) return out;
        for (String p : raw.split("&")) {
            int eq = p.indexOf('=');
            out.put(p.substring(0, eq), java.net.URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void send(HttpExchange x, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() { server.stop(0); }
}
