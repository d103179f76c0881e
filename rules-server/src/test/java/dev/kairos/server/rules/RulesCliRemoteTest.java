package dev.kairos.server.rules;

import dev.kairos.rules.cli.RulesCli;
import dev.kairos.server.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./kairos rules upload|status|promote|rollback|diff} against a running rules server: the
 * marketer's lifecycle from a folder, with the errors and exit codes a script can rely on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RulesCliRemoteTest {
    static final String WINTER = """
            package rules.winter

            rule "Winter sale banner"
            when
                $p : Placement( name == "home_banner" )
            then
                adapt($p).content("winter-sale").tone("warm").format("banner").cta("Shop the sale");
            end
            """;

    TestServer server;
    @TempDir
    Path dir;

    /** Stands in for the feedback service's replay log (the real one is exercised in feedback-service and e2e). */
    com.sun.net.httpserver.HttpServer feedback;
    final java.util.concurrent.atomic.AtomicReference<String> feedbackAuthorization = new java.util.concurrent.atomic.AtomicReference<>();

    @BeforeAll
    void start() throws Exception {
        byte[] log = recordedDecisions().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        feedback = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        feedback.createContext("/v1/replay-log", x -> {
            feedbackAuthorization.set(x.getRequestHeaders().getFirst("Authorization"));
            x.getResponseHeaders().set("Content-Type", "application/x-ndjson");
            x.sendResponseHeaders(200, log.length);
            try (var out = x.getResponseBody()) {
                out.write(log);
            }
        });
        feedback.start();
        server = TestServer.start(TestServer.newDataDir(), java.util.Map.of("kairos.feedback-url", "http://127.0.0.1:" + feedback.getAddress().getPort()));
    }

    /** Two decisions the default pack made (an evening offer at a restaurant, the default banner at noon), both shown, one engaged. */
    static String recordedDecisions() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        StringBuilder out = new StringBuilder();
        String[] requests = {
                "{\"userId\": \"u1\", \"placements\": [\"home_banner\"], \"context\": {\"location\": {\"placeType\": \"restaurant\"}, "
                        + "\"timezone\": \"Europe/Berlin\", \"timestamp\": \"2026-11-23T18:30:00Z\"}}",
                "{\"userId\": \"u2\", \"placements\": [\"home_banner\"], \"context\": {\"timestamp\": \"2026-11-23T12:00:00Z\"}}"};
        try (var compiler = new dev.kairos.rules.engine.RuleCompiler(dev.kairos.rules.engine.CompileLimits.DEFAULT);
             var pack = compiler.compile("v1", dev.kairos.rules.engine.RulePack.defaults()).orThrow()) {
            for (int i = 0; i < requests.length; i++) {
                var in = new dev.kairos.rules.input.DecideRequestReader().read(json.readTree(requests[i]), dev.kairos.rules.Weights.DEFAULT,
                        java.time.Instant.parse("2026-11-23T12:00:00Z")).input();
                var a = pack.evaluate(in).adaptation("home_banner");
                java.io.StringWriter facts = new java.io.StringWriter();
                try (var g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(facts)) {
                    dev.kairos.rules.engine.FactsCodec.write(g, in, java.util.List.of());
                }
                out.append("{\"decisionId\":\"d").append(i).append("\",\"facts\":").append(facts).append(",\"placements\":[{\"placement\":\"home_banner\",")
                        .append("\"rule\":\"").append(a.getRule()).append("\",\"contentId\":\"").append(a.getContentId())
                        .append("\",\"shown\":true,\"engaged\":").append(i == 0).append(",\"propensity\":1.0}]}\n");
            }
        }
        return out.toString();
    }

    @AfterAll
    void stop() {
        server.close();
        feedback.stop(0);
    }

    record Run(int code, String out, String err) {}

    Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--url=" + server.server.getURI();
        all[args.length + 1] = "--admin-key=" + TestServer.ADMIN_KEY;
        int code = RulesCli.run(all,
                new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    Path folder(String name, String drl) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.writeString(d.resolve("winter.drl"), drl);
        return d;
    }

    @Test
    @Order(1)
    void statusShowsWhatServes() {
        Run r = cli("status");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("active:  v1").contains("canary:  none");
    }

    @Test
    @Order(2)
    void aPackThatDoesNotCompileIsRefusedWithItsPositionsAndNothingIsStored() throws Exception {
        Run r = cli("upload", folder("broken", WINTER.replace("adapt($p)", "adapt($q)")).toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("does not compile").containsPattern("winter\\.drl:\\d+:\\d+: ");
        assertThat(cli("status").out()).contains("active:  v1");
        assertThat(server.http.get("/v1/rules/versions/v2", TestServer.ADMIN_KEY).status()).isEqualTo(404);
    }

    @Test
    @Order(3)
    void uploadsAFolderAndCanariesIt() throws Exception {
        Run r = cli("upload", folder("good", WINTER).toString(), "--canary", "10", "--note", "winter sale");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("uploading 1 file(s)").contains("uploaded v2: 1 rule(s)").contains("canary:  v2 (10.0 % of users)");
        assertThat(server.http.get("/v1/rules/versions/v2", TestServer.ADMIN_KEY).json().get("description").asText()).isEqualTo("winter sale");
    }

    @Test
    @Order(4)
    void diffsTwoVersions() {
        Run r = cli("diff", "v1", "v2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("+++ v2/winter.drl").contains("+rule \"Winter sale banner\"").contains("file(s) differ between v1 and v2");
        Run unknown = cli("diff", "v1", "v99");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("v99");

        var api = server.http.get("/v1/rules/diff?from=v1&to=v2", TestServer.ADMIN_KEY).json();
        assertThat(api.get("changed").asInt()).isEqualTo(api.get("files").size()).isPositive();
        assertThat(api.get("files").findValuesAsText("diff")).anySatisfy(d -> assertThat(d).contains("+++ v2/winter.drl").contains("+rule \"Winter sale banner\""));
        assertThat(server.http.get("/v1/rules/diff?from=v1&to=v99", TestServer.ADMIN_KEY).status()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void promotesAndRollsBack() {
        Run promoted = cli("promote");
        assertThat(promoted.code()).as(promoted.err()).isZero();
        assertThat(promoted.out()).contains("promoted: v2 serves everyone").contains("canary:  none");
        Run back = cli("rollback");
        assertThat(back.code()).as(back.err()).isZero();
        assertThat(back.out()).contains("rolled back: v1 serves everyone");
        assertThat(server.http.get("/v1/rules/state", TestServer.ADMIN_KEY).json().get("active").asText()).isEqualTo("v1");
    }

    @Test
    @Order(6)
    void saysWhatIsWrongWithTheConnectionAndExitsSo() throws Exception {
        StringWriter err = new StringWriter();
        int wrongKey = RulesCli.run(new String[] {"status", "--url=" + server.server.getURI(), "--admin-key=nope"},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(wrongKey).isEqualTo(3);
        assertThat(err.toString()).contains("refused the admin key");

        StringWriter err2 = new StringWriter();
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int unreachable = RulesCli.run(new String[] {"status", "--url=http://127.0.0.1:" + port, "--admin-key=k"},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err2, true));
        assertThat(unreachable).isEqualTo(3);
        assertThat(err2.toString()).contains("cannot reach the rules server");

        StringWriter err3 = new StringWriter();
        int noKey = RulesCli.run(new String[] {"status", "--url=" + server.server.getURI(), "--admin-key="},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err3, true));
        assertThat(noKey).isEqualTo(2);
        assertThat(err3.toString()).contains("KAIROS_ADMIN_KEY");

        assertThat(cli("upload", dir.resolve("missing").toString()).code()).isEqualTo(2);
        assertThat(cli("upload", folder("canary", WINTER).toString(), "--canary", "150").code()).isEqualTo(2);
    }

    @Test
    @Order(7)
    void warnsOnUploadAndLearnsPlacementsAndSignalsFromTraffic() throws Exception {
        String drl = """
                package rules.upsell

                rule "Checkout upsell for loyal users"
                when
                    Signals( custom("loyaltyScor") > 3 )
                    $p : Placement( name == "checkout_upsell" )
                then
                    adapt($p).content("upsell").tone("warm").format("banner");
                end
                """;
        Run upload = cli("upload", folder("upsell", drl).toString());
        assertThat(upload.code()).as(upload.err()).isZero();
        assertThat(upload.out()).as("nobody has asked for this placement yet")
                .contains("winter.drl:6:21: warning: 'checkout_upsell' is not a known placement");

        // an app starts deciding for the placement and sending its own signal
        assertThat(server.http.postJson("/v1/decide", TestServer.WRITE_KEY, """
                {"userId": "u-upsell", "placements": ["checkout_upsell"], "signals": {"custom": {"loyaltyScore": 4}}}
                """).status()).isEqualTo(200);

        String body = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .set("files", new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("upsell.drl", drl)).toString();
        var validated = server.http.postJson("/v1/rules/validate", TestServer.ADMIN_KEY, body).json();
        assertThat(validated.get("valid").asBoolean()).isTrue();
        assertThat(validated.get("warnings")).singleElement().satisfies(w -> {
            assertThat(w.get("kind").asText()).isEqualTo("warning");
            assertThat(w.get("line").asInt() + ":" + w.get("column").asInt()).isEqualTo("5:21");
            assertThat(w.get("message").asText()).isEqualTo("'loyaltyScor' is not a known custom signal; did you mean 'loyaltyScore'? "
                    + "(a signal no request sends reads 0)");
        });
    }

    @Test
    @Order(8)
    void explainsWhyARuleDidNotFireForAUser() throws Exception {
        var why = server.http.postJson("/v1/rules/why", TestServer.ADMIN_KEY, """
                {"rule": "Evening restaurant offer",
                 "request": {"userId": "u-why", "placements": ["home_banner"], "context": {"location": {"placeType": "cafe"}}}}
                """);
        assertThat(why.status()).as(why.body()).isEqualTo(200);
        var body = why.json();
        assertThat(body.get("version").asText()).isEqualTo(server.http.get("/v1/rules/state", TestServer.ADMIN_KEY).json().get("active").asText());
        assertThat(body.get("fired").asBoolean()).isFalse();
        assertThat(body.get("failed").get("condition").asText()).isEqualTo("location.placeType == \"restaurant\"");
        assertThat(body.get("failed").get("values").get("location.placeType").asText()).isEqualTo("cafe");
        assertThat(body.get("failed").get("file").asText() + ":" + body.get("failed").get("line").asInt()).isEqualTo("evening_offers.drl:9");
        assertThat(body.get("explanation").asText()).startsWith("rule \"Evening restaurant offer\" did not fire: Context( location.placeType");

        // the same from the command line: exit 1 when the rule did not fire, 0 when it did
        Path request = Files.writeString(dir.resolve("cafe.json"),
                "{\"userId\": \"u-why\", \"placements\": [\"home_banner\"], \"context\": {\"location\": {\"placeType\": \"cafe\"}}}");
        Run cliWhy = cli("why", "Evening restaurant offer", request.toString());
        assertThat(cliWhy.code()).as(cliWhy.err()).isEqualTo(1);
        assertThat(cliWhy.out()).contains("did not fire: Context( location.placeType == \"restaurant\" )").contains("location.placeType = \"cafe\"");
        Path evening = Files.writeString(dir.resolve("evening.json"), "{\"userId\": \"u-why\", \"placements\": [\"home_banner\"], "
                + "\"context\": {\"location\": {\"placeType\": \"restaurant\"}, \"timezone\": \"UTC\", \"timestamp\": \"2026-11-23T19:00:00Z\"}}");
        Run fired = cli("why", "Evening restaurant offer", evening.toString());
        assertThat(fired.code()).as(fired.out() + fired.err()).isZero();
        assertThat(fired.out()).contains("fired");
        assertThat(cli("why", "No such rule", request.toString()).code()).isEqualTo(1);

        assertThat(server.http.postJson("/v1/rules/why", TestServer.ADMIN_KEY, """
                {"rule": "No such rule", "request": {"userId": "u", "placements": ["home_banner"]}}""").status()).isEqualTo(404);
        assertThat(server.http.postJson("/v1/rules/why", TestServer.ADMIN_KEY, """
                {"request": {"userId": "u", "placements": ["home_banner"]}}""").json().get("error").get("code").asText()).isEqualTo("missing_field");
        assertThat(server.http.postJson("/v1/rules/why", TestServer.ADMIN_KEY, """
                {"rule": "x", "request": {"userId": "u", "placements": ["home_banner"]}, "colour": 1}""").json().get("error").get("code").asText()).isEqualTo("unknown_field");
        assertThat(server.http.postJson("/v1/rules/why", TestServer.ADMIN_KEY, """
                {"rule": "x", "request": {"userId": "u"}}""").status()).as("the decide request is validated as decide would").isEqualTo(400);
        assertThat(server.http.postJson("/v1/rules/why", TestServer.WRITE_KEY, """
                {"rule": "x", "request": {"userId": "u", "placements": ["home_banner"]}}""").status()).as("admin only").isIn(401, 403);
    }

    @Test
    @Order(9)
    void uploadsThePacksThresholdsWithItsRules() throws Exception {
        Path d = folder("thresholds", """
                package rules.intent
                rule "High intent"
                when
                    $t : Thresholds()
                    Signals( intentScore > $t.get("highIntent") )
                    $p : Placement( name == "product_page" )
                then
                    adapt($p).content("discount");
                end
                """);
        Files.writeString(d.resolve("thresholds.yaml"), "highIntent: 0.7\n");
        Run r = cli("upload", d.toString(), "--canary", "100");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("uploading 2 file(s)");
        String id = r.out().lines().filter(l -> l.startsWith("uploaded ")).findFirst().orElseThrow().split(" ")[1].replace(":", "");
        var version = server.http.get("/v1/rules/versions/" + id, TestServer.ADMIN_KEY).json();
        assertThat(version.get("files").get("thresholds.yaml").asText()).isEqualTo("highIntent: 0.7\n");
        // served to everyone now: 0.75 is above the pack's 0.7
        var decision = server.http.postJson("/v1/decide", TestServer.WRITE_KEY, """
                {"userId": "u-thr", "placements": ["product_page"], "signals": {"intentScore": 0.75}}""").json();
        assertThat(decision.get("adaptations").get(0).get("contentId").asText()).isEqualTo("discount");
        assertThat(server.http.postJson("/v1/rules/validate", TestServer.ADMIN_KEY,
                "{\"files\": {\"a.drl\": \"rule \\\"x\\\" when then end\", \"notes.yaml\": \"x: 1\"}}").status())
                .as("no other non-DRL file").isEqualTo(400);
        cli("rollback");
    }

    @Test
    @Order(10)
    void replaysAStoredVersionOnTheRecordedDecisions() {
        var same = server.http.postJson("/v1/rules/versions/v1/replay", TestServer.ADMIN_KEY, "{\"from\": \"2026-11-01\", \"to\": \"2026-11-08\"}");
        assertThat(same.status()).as(same.body()).isEqualTo(200);
        assertThat(same.json().get("replayed").asLong()).isEqualTo(2);
        assertThat(same.json().get("changed").asLong()).as("the pack that made them changes nothing").isZero();
        assertThat(feedbackAuthorization.get()).isEqualTo("Bearer " + TestServer.ADMIN_KEY);

        // v2 is the winter pack alone: both banners change, and the engaged evening offer has no support
        var winter = server.http.postJson("/v1/rules/versions/v2/replay", TestServer.ADMIN_KEY, "{}").json();
        assertThat(winter.get("changed").asLong()).isEqualTo(2);
        assertThat(winter.get("transitions").get("Evening restaurant offer -> Winter sale banner").asLong()).isEqualTo(1);
        assertThat(winter.get("estCtrDelta").asDouble()).isEqualTo(-0.5);
        assertThat(winter.get("result").asText()).startsWith("RESULT replayed=2 changed=2 est_ctr_delta=-50.00%");
        assertThat(winter.get("examples").get(0).get("candidateContent").asText()).isEqualTo("winter-sale");

        assertThat(server.http.postJson("/v1/rules/versions/v99/replay", TestServer.ADMIN_KEY, "{}").status()).isEqualTo(404);
        assertThat(server.http.postJson("/v1/rules/versions/v1/replay", TestServer.ADMIN_KEY, "{\"limit\": 0}").status()).isEqualTo(400);
        assertThat(server.http.postJson("/v1/rules/versions/v1/replay", TestServer.ADMIN_KEY, "{\"x\": 1}").status()).isEqualTo(400);
    }

    @Test
    @Order(11)
    void aGuardrailEndsTheCanaryWithItsReason() throws Exception {
        Run up = cli("upload", folder("guarded", WINTER.replace("winter-sale", "winter-sale-2")).toString(), "--canary", "10");
        assertThat(up.code()).as(up.err()).isZero();
        String canary = server.http.get("/v1/rules/state", TestServer.ADMIN_KEY).json().get("canary").asText();
        assertThat(server.http.postJson("/v1/rules/rollback", TestServer.ADMIN_KEY,
                "{\"by\": \"guardrail\", \"version\": \"v1\", \"reason\": \"guardrail: x\"}").status()).as("not the canary").isEqualTo(409);
        assertThat(server.http.postJson("/v1/rules/rollback", TestServer.ADMIN_KEY,
                "{\"by\": \"robot\", \"version\": \"" + canary + "\", \"reason\": \"x\"}").status()).isEqualTo(400);
        var state = server.http.postJson("/v1/rules/rollback", TestServer.ADMIN_KEY, "{\"by\": \"guardrail\", \"version\": \"" + canary
                + "\", \"reason\": \"guardrail: dismiss rate +6.1 pp (95% CI [+3.2, +9.0])\"}").json();
        assertThat(state.path("canary").asText(null)).isNull();
        var last = state.get("changes").get(state.get("changes").size() - 1);
        assertThat(last.get("action").asText()).isEqualTo("auto-rollback");
        assertThat(last.get("by").asText()).isEqualTo("guardrail");
        assertThat(last.get("reason").asText()).isEqualTo("guardrail: dismiss rate +6.1 pp (95% CI [+3.2, +9.0])");
        assertThat(cli("status").out()).contains("guardrail: dismiss rate +6.1 pp");
    }
}
