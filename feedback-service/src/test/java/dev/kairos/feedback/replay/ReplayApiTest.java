package dev.kairos.feedback.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.feedback.store.DecisionRow;
import dev.kairos.feedback.store.OutcomeRow;
import dev.kairos.feedback.support.TestService;
import dev.kairos.rules.Adaptation;
import dev.kairos.rules.Weights;
import dev.kairos.rules.cli.RulesCli;
import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompiledRules;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.engine.Evaluation;
import dev.kairos.rules.engine.FactsCodec;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.input.DecideRequestReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.kairos.feedback.support.TestService.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replay log of recorded decisions, and {@code ./kairos rules replay} reading it from this
 * service: decisions made by the real default pack, recorded with their facts and outcomes,
 * replayed with a candidate that changes one rule's content.
 */
class ReplayApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestService service;
    static final Instant DAY = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS);

    @BeforeAll
    static void start() throws Exception {
        service = TestService.start(Map.of("kairos.feedback.recalibration.enabled", false,
                "kairos.feedback.marketers", "ana:" + dev.kairos.feedback.auth.MarketerAccounts.hash("pw-for-ana-1".toCharArray())));
        String[] requests = {
                // 19:30 in Berlin at a restaurant: "Evening restaurant offer" (restaurant-deals)
                "{\"userId\": \"u1\", \"placements\": [\"home_banner\"], \"context\": {\"location\": {\"placeType\": \"restaurant\"}, "
                        + "\"timezone\": \"Europe/Berlin\", \"timestamp\": \"2026-11-23T18:30:00Z\"}}",
                // at noon: the pack default (home-featured)
                "{\"userId\": \"u2\", \"placements\": [\"home_banner\"], \"context\": {\"timestamp\": \"2026-11-23T12:00:00Z\"}}",
                "{\"userId\": \"u3\", \"placements\": [\"home_banner\"], \"context\": {\"location\": {\"placeType\": \"restaurant\"}, "
                        + "\"timezone\": \"Europe/Berlin\", \"timestamp\": \"2026-11-23T19:30:00Z\"}}"};
        List<DecisionRow> decisions = new ArrayList<>();
        List<OutcomeRow> outcomes = new ArrayList<>();
        try (RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT); CompiledRules pack = compiler.compile("v1", RulePack.defaults()).orThrow()) {
            for (int i = 0; i < requests.length; i++) {
                DecisionInput in = new DecideRequestReader().read(JSON.readTree(requests[i]), Weights.DEFAULT, Instant.parse("2026-11-23T12:00:00Z")).input();
                Evaluation e = pack.evaluate(in);
                Adaptation a = e.adaptation("home_banner");
                StringWriter facts = new StringWriter();
                try (JsonGenerator g = new JsonFactory().createGenerator(facts)) {
                    FactsCodec.write(g, in, List.of());
                }
                String id = "d" + i;
                long at = DAY.plusSeconds(3600L * (i + 1)).toEpochMilli();
                decisions.add(new DecisionRow(id, at, "u" + i, null, "v1", "default", false, null, 0.5, 0.5, 0.5, 0.5, null, e.firedRules(),
                        List.of(new DecisionRow.PlacementRow("home_banner", a.getRule(), a.getContentId(), a.isFallback())), List.of(), Map.of(),
                        facts.toString()));
                outcomes.add(new OutcomeRow(id + "/i", id, "home_banner", "impression", "u" + i, a.getRule(), null, at, at));
                if (i != 1) outcomes.add(new OutcomeRow(id + "/c", id, "home_banner", "click", "u" + i, a.getRule(), null, at, at));
            }
        }
        service.store().saveDecisions(decisions);
        service.store().saveOutcomes(outcomes);
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void exportsRecordedDecisionsWithFactsAndOutcomesAsNdjson() throws Exception {
        var r = service.http.get("/v1/replay-log?from=" + DAY + "&to=" + DAY.plus(1, ChronoUnit.DAYS), ADMIN_KEY);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/x-ndjson"));
        List<JsonNode> lines = new ArrayList<>();
        for (String l : r.body().split("\n")) if (!l.isBlank()) lines.add(JSON.readTree(l));
        assertThat(lines).extracting(n -> n.get("decisionId").asText()).containsExactly("d0", "d1", "d2");
        assertThat(lines.get(0).get("facts").get("v").asInt()).isEqualTo(1);
        JsonNode p = lines.get(0).get("placements").get(0);
        assertThat(p.get("rule").asText()).isEqualTo("Evening restaurant offer");
        assertThat(p.get("shown").asBoolean()).isTrue();
        assertThat(p.get("engaged").asBoolean()).isTrue();
        assertThat(p.get("propensity").asDouble()).isEqualTo(1.0);
        assertThat(service.http.get("/v1/replay-log?limit=0", ADMIN_KEY).status()).isEqualTo(400);
        assertThat(service.http.get("/v1/replay-log", null).status()).isEqualTo(401);
        String marketer = service.http.postJson("/v1/login", null, "{\"username\":\"ana\",\"password\":\"pw-for-ana-1\"}").json().get("token").asText();
        assertThat(service.http.get("/v1/replay-log", marketer).status()).as("per-decision facts are not for read-only accounts").isEqualTo(403);
        assertThat(service.http.get("/v1/replay-log/", marketer).status()).isEqualTo(403);
        assertThat(service.http.get("/v1/rule-activity", marketer).status()).as("aggregates still are").isEqualTo(200);
    }

    @Test
    void replaysACandidatePackFromTheCommandLine(@TempDir Path dir) throws Exception {
        // the candidate: the evening offer shows another content
        Path rules = Files.createDirectories(dir.resolve("candidate"));
        String evening = RulePack.defaults().sources().stream().filter(s -> s.name().equals("evening_offers.drl")).findFirst().orElseThrow().drl();
        Files.writeString(rules.resolve("evening_offers.drl"), evening.replace("content(\"restaurant-deals\")", "content(\"restaurant-deals-v2\")"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = RulesCli.run(new String[] {"replay", rules.toString(), "--with-defaults", "--from", DAY.toString().substring(0, 10),
                "--to", DAY.plus(1, ChronoUnit.DAYS).toString().substring(0, 10), "--feedback-url", service.server.getURI().toString(),
                "--admin-key", ADMIN_KEY}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as(out + "\n" + err).isZero();
        String[] lines = out.toString().strip().split("\n");
        // 3 shown, 2 engaged (both under the evening offer); the candidate changes those two: no support, so -2/3
        assertThat(lines[lines.length - 1]).startsWith("RESULT replayed=3 changed=2 est_ctr_delta=-66.67% ci=[");
        assertThat(out.toString()).contains("Evening restaurant offer -> Evening restaurant offer")
                .contains("candidate: rule \"Evening restaurant offer\" shows restaurant-deals-v2")
                .contains("warning: low overlap");
        assertThat(err.toString()).contains("replayed 3 decisions");

        StringWriter noKey = new StringWriter();
        assertThat(RulesCli.run(new String[] {"replay", rules.toString(), "--feedback-url", service.server.getURI().toString(), "--admin-key", "nope"},
                new PrintWriter(new StringWriter(), true), new PrintWriter(noKey, true))).isEqualTo(3);
        assertThat(noKey.toString()).contains("HTTP 401");
    }
}
