package dev.kairos.server.decide;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.kairos.rules.Adaptation;
import dev.kairos.rules.engine.Candidate;
import dev.kairos.rules.engine.Evaluation;
import dev.kairos.rules.engine.PlacementExplanation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes the decide response with a streaming generator (no reflection on the hot path):
 * <pre>{"decisionId", "rulesVersion", "weightsVersion", "canary", "variant": "experiment:variant" or null,
 *  "variants": {"experiment": "variant", ...},
 *  "adaptations": [{"placement", "contentId", "tone", "format", "cta", "priority", "rule", "reason",
 *                   "fallback", "suppressed", "layer", ["choices": [...], "propensity",] "params"}],
 *  "segments": ["cart_no_purchase_24h", ...],
 *  "triggers": [{"idempotencyKey", "channel", "name", "rule", "reason", "params", "cooldownSeconds"}] (only when the rules emitted any),
 *  "explanation": {"fallback": "deadline" (only when the rules did not answer: deadline, error, overloaded),
 *                  "signals": "unavailable" (only when the stored signals were not read as usual: standby, unavailable),
 *                  "placements": {"home_banner": {"winner", "why", "layer": "tier2|tier1|fallback", "candidates": [...]}},
 *                  "firedRules": [...], "truncated": false},
 *  "warnings": [{"code": "ignored_field", "field": ...}]}</pre>
 */
final class DecisionJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private DecisionJson() {}

    static byte[] write(Decision d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            Evaluation e = d.evaluation();
            g.writeStartObject();
            g.writeStringField("decisionId", d.decisionId());
            g.writeStringField("rulesVersion", e.rulesVersion());
            g.writeStringField("weightsVersion", d.weightsVersion());
            g.writeBooleanField("canary", d.canary());
            if (d.variant() == null) g.writeNullField("variant");
            else g.writeStringField("variant", d.variant());
            writeVariants(g, d);
            g.writeArrayFieldStart("adaptations");
            for (Adaptation a : e.adaptations()) writeAdaptation(g, a);
            g.writeEndArray();
            g.writeArrayFieldStart("segments");
            for (String segment : e.segments()) g.writeString(segment);
            g.writeEndArray();
            DecisionRecord.writeTriggers(g, d);
            g.writeObjectFieldStart("explanation");
            if (e.fallback() != null) g.writeStringField("fallback", e.fallback());
            if (d.signals() != null) g.writeStringField("signals", d.signals());
            g.writeObjectFieldStart("placements");
            for (Map.Entry<String, PlacementExplanation> p : e.explanations().entrySet()) {
                g.writeObjectFieldStart(p.getKey());
                g.writeStringField("winner", p.getValue().winner());
                g.writeStringField("why", p.getValue().why());
                g.writeStringField("layer", p.getValue().layer());
                g.writeArrayFieldStart("candidates");
                for (Candidate c : p.getValue().candidates()) {
                    g.writeStartObject();
                    g.writeStringField("rule", c.rule());
                    g.writeNumberField("priority", c.priority());
                    g.writeNumberField("salience", c.salience());
                    g.writeBooleanField("fallback", c.fallback());
                    g.writeBooleanField("suppressed", c.suppressed());
                    g.writeStringField("reason", c.reason());
                    if (c.lostBecause() != null) g.writeStringField("lostBecause", c.lostBecause());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeArrayFieldStart("firedRules");
            for (String r : e.firedRules()) g.writeString(r);
            g.writeEndArray();
            g.writeBooleanField("truncated", e.truncated());
            g.writeEndObject();
            if (!d.request().ignoredFields().isEmpty()) {
                g.writeArrayFieldStart("warnings");
                for (String f : d.request().ignoredFields()) {
                    g.writeStartObject();
                    g.writeStringField("code", "ignored_field");
                    g.writeStringField("field", f);
                    g.writeStringField("message", "unknown field ignored");
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /** {@code "variants": {experiment: variant}} by experiment name, {@code {}} without experiments (shared with {@link DecisionRecord}). */
    static void writeVariants(JsonGenerator g, Decision d) throws IOException {
        g.writeObjectFieldStart("variants");
        for (dev.kairos.server.experiments.Assignment a : d.experiments()) g.writeStringField(a.experiment(), a.variant());
        g.writeEndObject();
    }

    /**
     * {@code "choices": [{"point", "value", "arm", "arms", "propensity", "explored", "model"}], "propensity"} when the
     * adaptation has {@code choose(...)} values; nothing otherwise (shared with {@link DecisionRecord}).
     */
    static void writeChoices(JsonGenerator g, Adaptation a) throws IOException {
        if (a.getChoices().isEmpty()) return;
        g.writeArrayFieldStart("choices");
        for (dev.kairos.rules.learn.Bandit.Choice c : a.getChoices()) {
            g.writeStartObject();
            g.writeStringField("point", c.point());
            g.writeStringField("value", c.value());
            g.writeNumberField("arm", c.arm());
            g.writeArrayFieldStart("arms");
            for (String v : c.arms()) g.writeString(v);
            g.writeEndArray();
            g.writeNumberField("propensity", c.propensity());
            g.writeBooleanField("explored", c.explored());
            g.writeStringField("model", c.modelVersion());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNumberField("propensity", a.getPropensity());
    }

    private static void writeAdaptation(JsonGenerator g, Adaptation a) throws IOException {
        g.writeStartObject();
        g.writeStringField("placement", a.getPlacement());
        g.writeStringField("contentId", a.getContentId());
        g.writeStringField("tone", a.getTone());
        g.writeStringField("format", a.getFormat());
        g.writeStringField("cta", a.getCta());
        g.writeNumberField("priority", a.getPriority());
        g.writeStringField("rule", a.getRule());
        g.writeStringField("reason", a.getReason());
        g.writeBooleanField("fallback", a.isFallback());
        g.writeBooleanField("suppressed", a.isSuppressed());
        g.writeStringField("layer", a.getLayer());
        writeChoices(g, a);
        g.writeObjectFieldStart("params");
        for (Map.Entry<String, String> p : a.getParams().entrySet()) g.writeStringField(p.getKey(), p.getValue());
        g.writeEndObject();
        g.writeEndObject();
    }
}
