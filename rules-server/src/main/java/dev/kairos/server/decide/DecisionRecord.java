package dev.kairos.server.decide;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.kairos.rules.Adaptation;
import dev.kairos.rules.Placement;
import dev.kairos.rules.Signals;
import dev.kairos.rules.Weights;
import dev.kairos.rules.Variant;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.engine.FactsCodec;
import dev.kairos.server.experiments.Assignment;
import java.util.ArrayList;
import java.util.List;
import dev.kairos.rules.engine.Evaluation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The record of one decision on the decisions topic (schema version 1), keyed by user like events
 * and outcomes. The feedback service joins outcomes to it by {@code decisionId}:
 * <pre>{"schemaVersion": 1, "decisionId", "timestamp": "2026-11-23T18:30:00Z", "userId", "anonymousId",
 *  "sessionId", "rulesVersion", "weightsVersion", "canary", ["fallback": "deadline",] ["latencyMicros": 870,] ["signalsSource": "unavailable",] "variant": null, "variants": {},
 *  "placements": ["home_banner"],
 *  "adaptations": [{"placement", "contentId", "rule", "tone", "format", "cta", "fallback", "suppressed", "layer",
 *                   ["choices": [{"point", "value", "arm", "propensity", "explored", "model"}], "propensity"]}],
 *  ["features": [...] (when a choice was made: the bandit's feature vector, dev.kairos.rules.learn.Features),]
 *  ["triggers": [{"idempotencyKey", "channel", "name", "rule", "reason", "params", "cooldownSeconds"}],]
 *  "matchedRules": ["Evening restaurant offer", ...], "segments": [...],
 *  "signals": {"intentScore", "recency", "depth", "conversionProbability", "churnRisk", "productViews", "cartHistory",
 *              "purchasedInSession", "sessions", "scrollDepth",
 *              "rapidScrollBursts", "dwellSeconds", "pageViews", "cartItems", "failedPurchasesInRow",
 *              "adTapRate", "deviation"},
 *  "weights": {"recency", "depth", "conversion"},
 *  "facts": {...}}</pre>
 * {@code "kind": "background"} marks the evaluation of an idle user for the triggers it emits (no
 * one was shown anything; the feedback service only delivers its {@code triggers}).
 * {@code facts} (unless {@code kairos.decisions.log-facts} is false) holds every fact the rules saw,
 * in the format of {@link FactsCodec}, so a candidate pack can be replayed on recorded traffic.
 * {@code variants} names the user's variant in every active experiment, experiment name to variant
 * name ({@code "holdout"} for an experiment's holdout), {@code {}} while none runs; {@code variant}
 * is kept for readers of one experiment at a time: the first of them by experiment name as
 * {@code "experiment:variant"}, {@code null} while none runs. Readers that know {@code variants}
 * use it and ignore {@code variant}. {@code fallback} is present only when the rules did not
 * answer ({@code deadline}, {@code error} or {@code overloaded}) and every placement got the
 * built-in empty answer. {@code signalsSource} is present only when the user's stored signals were not
 * read as usual: {@code standby} (a standby replica's copy) or {@code unavailable} (none; the
 * request's own signals stood alone). The signals are the fused values the rules saw (stored signals overlaid with
 * the request's), so a recalibration refits on exactly what was decided on.
 */
final class DecisionRecord {
    static final int SCHEMA_VERSION = 1;
    private static final JsonFactory FACTORY = new JsonFactory();

    private DecisionRecord() {}

    static byte[] write(Decision d) {
        return write(d, true);
    }

    /** The record; with {@code facts}, also the full facts the rules saw ({@link FactsCodec}), for replaying candidate packs. */
    static byte[] write(Decision d, boolean facts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(768);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            Evaluation e = d.evaluation();
            DecisionInput in = d.request().input();
            g.writeStartObject();
            g.writeNumberField("schemaVersion", SCHEMA_VERSION);
            g.writeStringField("decisionId", d.decisionId());
            if (d.background()) g.writeStringField("kind", "background");
            g.writeStringField("timestamp", d.decidedAt().toString());
            g.writeStringField("userId", d.request().userId());
            g.writeStringField("anonymousId", d.request().anonymousId());
            g.writeStringField("sessionId", d.request().sessionId());
            g.writeStringField("rulesVersion", e.rulesVersion());
            g.writeStringField("weightsVersion", d.weightsVersion());
            g.writeBooleanField("canary", d.canary());
            if (d.evaluation().fallback() != null) g.writeStringField("fallback", d.evaluation().fallback());
            if (d.latencyMicros() >= 0) g.writeNumberField("latencyMicros", d.latencyMicros());
            if (d.signals() != null) g.writeStringField("signalsSource", d.signals());
            if (d.variant() == null) g.writeNullField("variant");
            else g.writeStringField("variant", d.variant());
            DecisionJson.writeVariants(g, d);
            g.writeArrayFieldStart("placements");
            for (Placement p : in.placements()) g.writeString(p.getName());
            g.writeEndArray();
            g.writeArrayFieldStart("adaptations");
            boolean chose = false;
            for (Adaptation a : e.adaptations()) {
                g.writeStartObject();
                g.writeStringField("placement", a.getPlacement());
                g.writeStringField("contentId", a.getContentId());
                g.writeStringField("rule", a.getRule());
                g.writeStringField("tone", a.getTone());
                g.writeStringField("format", a.getFormat());
                g.writeStringField("cta", a.getCta());
                g.writeBooleanField("fallback", a.isFallback());
                g.writeBooleanField("suppressed", a.isSuppressed());
                g.writeStringField("layer", a.getLayer());
                DecisionJson.writeChoices(g, a);
                if (!a.getChoices().isEmpty()) chose = true;
                g.writeEndObject();
            }
            g.writeEndArray();
            if (chose) {
                // what the bandit chose on, for the feedback service's refits
                g.writeArrayFieldStart("features");
                for (double x : dev.kairos.rules.learn.Features.of(in)) g.writeNumber(x);
                g.writeEndArray();
            }
            writeTriggers(g, d);
            g.writeArrayFieldStart("matchedRules");
            for (String r : e.firedRules()) g.writeString(r);
            g.writeEndArray();
            g.writeArrayFieldStart("segments");
            for (String s : e.segments()) g.writeString(s);
            g.writeEndArray();
            Signals s = in.signals();
            g.writeObjectFieldStart("signals");
            g.writeNumberField("intentScore", s.getIntentScore());
            g.writeNumberField("recency", s.getRecency());
            g.writeNumberField("depth", s.getDepth());
            g.writeNumberField("conversionProbability", s.getConversionProbability());
            g.writeNumberField("scrollDepth", s.getScrollDepth());
            g.writeNumberField("rapidScrollBursts", s.getRapidScrollBursts());
            g.writeNumberField("dwellSeconds", s.getDwellSeconds());
            g.writeNumberField("pageViews", s.getPageViews());
            g.writeNumberField("cartItems", s.getCartItems());
            g.writeNumberField("failedPurchasesInRow", s.getFailedPurchasesInRow());
            g.writeNumberField("adTapRate", s.getAdTapRate());
            g.writeNumberField("deviation", s.getDeviation());
            // the rest of what the learned predictors read (dev.kairos.rules.learn.Predictors.INPUTS), and what they said
            g.writeNumberField("productViews", s.getProductViews());
            g.writeNumberField("cartHistory", s.getCartHistory());
            g.writeNumberField("purchasedInSession", s.isPurchasedInSession() ? 1 : 0);
            g.writeNumberField("sessions", in.profile().getSessions());
            g.writeNumberField("churnRisk", s.getChurnRisk());
            g.writeEndObject();
            Weights w = in.weights();
            g.writeObjectFieldStart("weights");
            g.writeNumberField("recency", w.getRecency());
            g.writeNumberField("depth", w.getDepth());
            g.writeNumberField("conversion", w.getConversion());
            g.writeEndObject();
            if (facts) {
                List<Variant> variants = new ArrayList<>();
                for (Assignment a : d.experiments()) variants.addAll(a.facts());
                g.writeFieldName("facts");
                FactsCodec.write(g, in, variants);
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /** The record key: the user the decision was for (the same key events and outcomes use). */
    /**
     * {@code "triggers": [{"idempotencyKey", "channel", "name", "rule", "reason", "params", "cooldownSeconds", ["receiver"]}]}
     * when the rules emitted any (shared with {@link DecisionJson}). The idempotency key is the
     * same for every decision of one user that emits the same trigger within one cool-down period
     * (SHA-256 of user, channel, name and the period's number, 32 hex digits), so a receiver and
     * the feedback service's dispatcher act on it once.
     */
    static void writeTriggers(JsonGenerator g, Decision d) throws IOException {
        List<dev.kairos.rules.engine.Trigger> triggers = d.evaluation().triggers();
        if (triggers.isEmpty()) return;
        g.writeArrayFieldStart("triggers");
        for (dev.kairos.rules.engine.Trigger t : triggers) {
            g.writeStartObject();
            g.writeStringField("idempotencyKey", idempotencyKey(d.request().userKey(), t, d.decidedAt()));
            g.writeStringField("channel", t.channel());
            g.writeStringField("name", t.name());
            g.writeStringField("rule", t.rule());
            g.writeStringField("reason", t.reason());
            g.writeObjectFieldStart("params");
            for (java.util.Map.Entry<String, String> p : t.params().entrySet()) g.writeStringField(p.getKey(), p.getValue());
            g.writeEndObject();
            g.writeNumberField("cooldownSeconds", t.cooldown().toSeconds());
            if (t.receiver() != null) g.writeStringField("receiver", t.receiver());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static String idempotencyKey(String userKey, dev.kairos.rules.engine.Trigger t, java.time.Instant at) {
        long period = at.toEpochMilli() / Math.max(1, t.cooldown().toMillis());
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest((userKey + "\n" + t.channel() + "\n" + t.name() + "\n" + period)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String key(Decision d) {
        return d.request().userKey();
    }
}
