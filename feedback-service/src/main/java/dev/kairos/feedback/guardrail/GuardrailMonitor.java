package dev.kairos.feedback.guardrail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.feedback.rules.RulesServerClient;
import dev.kairos.feedback.store.FeedbackStore;
import io.micronaut.context.annotation.Value;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Canary guardrails: while rules-server runs a canary, compares its traffic with the control's
 * (the active version's stable traffic) since the canary started, every
 * {@code kairos.feedback.guardrails.interval} (1 minute), on three rates of shown placements:
 * dismiss rate (worse when higher), CTR and conversion rate (worse when lower). Each is an
 * always-valid sequential test ({@link Msprt}), so watching it every minute does not inflate false
 * alarms. A rate significantly worse on the canary, once both arms have
 * {@code min-shown} shown placements, rolls the canary back through rules-server
 * ({@code POST /v1/rules/rollback} with {@code by: guardrail}, its reason, the version and the
 * revision seen, so a change made meanwhile is not undone), and notifies the webhook.
 * Errors and deadlines are the circuit breaker's (rules-server); latency is not watched here.
 */
@Singleton
public class GuardrailMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(GuardrailMonitor.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FeedbackStore store;
    private final RulesServerClient rulesServer;
    private final Webhook webhook;
    private final boolean enabled;
    private final double alpha;
    private final double tau;
    private final long minShown;
    private volatile Report last = new Report(Instant.now().toString(), null, null, List.of(), "not checked yet");

    public GuardrailMonitor(FeedbackStore store, RulesServerClient rulesServer, Webhook webhook,
                            @Value("${kairos.feedback.guardrails.enabled:true}") boolean enabled,
                            @Value("${kairos.feedback.guardrails.alpha:0.05}") double alpha,
                            @Value("${kairos.feedback.guardrails.tau:0.02}") double tau,
                            @Value("${kairos.feedback.guardrails.min-shown:200}") long minShown) {
        if (!(alpha > 0 && alpha < 1) || !(tau > 0) || minShown < 1) {
            throw new IllegalArgumentException("kairos.feedback.guardrails: alpha must be in (0,1), tau > 0, min-shown >= 1");
        }
        this.store = store;
        this.rulesServer = rulesServer;
        this.webhook = webhook;
        this.enabled = enabled;
        this.alpha = alpha;
        this.tau = tau;
        this.minShown = minShown;
    }

    /** One guardrail's state: the rates per arm, the difference with its always-valid interval (percentage points), and whether it breached. */
    public record Check(String metric, long controlShown, double controlRate, long canaryShown, double canaryRate,
                        double differencePp, double lowPp, double highPp, boolean breached) {}

    /** The last check: when, which canary against which control, each guardrail, what happened, and the settings it ran with. */
    public record Report(String at, String canary, String control, List<Check> checks, String outcome, Settings settings) {
        public Report(String at, String canary, String control, List<Check> checks, String outcome) {
            this(at, canary, control, checks, outcome, null);
        }
    }

    /** Every guardrail: the outcomes of shown content, then the health of the decisions themselves. */
    public static final List<String> METRICS = List.of("dismiss rate", "CTR", "conversion rate", "error rate", "latency p99");

    /**
     * The guardrails checked for one canary: which {@code metrics} (of {@link #METRICS}) and from
     * how many shown placements (or decisions, for error rate and latency) per arm ({@code minShown}).
     * A marketer sets them when starting the canary; otherwise every metric, from the configured minimum.
     */
    public record Settings(List<String> metrics, long minShown) {
        public Settings {
            metrics = List.copyOf(metrics);
        }
    }

    /** The settings for canaries started without any. */
    public Settings defaults() { return new Settings(METRICS, minShown); }

    /** Reads stored settings; what does not parse falls back to {@link #defaults()}. */
    Settings settingsOf(String canary) {
        return store.guardrailSettings(canary).map(json -> {
            try {
                com.fasterxml.jackson.databind.JsonNode n = JSON.readTree(json);
                List<String> metrics = new ArrayList<>();
                n.path("metrics").forEach(m -> { if (METRICS.contains(m.asText())) metrics.add(m.asText()); });
                return new Settings(metrics, n.path("minShown").asLong(minShown));
            } catch (java.io.IOException e) {
                return defaults();
            }
        }).orElse(defaults());
    }

    /** The last check's report. */
    public Report last() { return last; }

    @Scheduled(initialDelay = "30s", fixedDelay = "${kairos.feedback.guardrails.interval:1m}")
    void scheduled() {
        if (!enabled || !rulesServer.configured()) return;
        try {
            check();
        } catch (RuntimeException e) {
            LOG.warn("canary guardrail check failed (retried at the next interval): {}", e.toString());
        }
    }

    /** Checks the running canary now; rolls it back when a guardrail is breached. */
    public Report check() {
        RulesServerClient.KnownRules known = rulesServer.knownRules();
        if (!known.available() || known.routing() == null) return last = new Report(Instant.now().toString(), null, null, List.of(),
                "rules-server not available: " + known.reason());
        RulesServerClient.Routing routing = known.routing();
        if (routing.canary() == null) return last = new Report(Instant.now().toString(), null, routing.active(), List.of(), "no canary running");
        String canary = routing.canary();
        // since this canary run started: its first "canary" change after anything that ended an earlier run of the same
        // version (a later "canary" change only moved the percentage; the traffic before it still counts)
        Instant since = null;
        for (RulesServerClient.Change c : routing.changes()) {
            if (!canary.equals(c.version())) continue;
            if ("canary".equals(c.action()) && since == null && c.at() != null) since = Instant.parse(c.at());
            else if (!"canary".equals(c.action())) since = null;
        }
        if (since == null) since = Instant.EPOCH;
        Settings settings = settingsOf(canary);
        long min = settings.minShown();
        FeedbackStore.ArmCounts[] arms = store.canaryArms(routing.active(), canary, since.toEpochMilli());
        FeedbackStore.ArmCounts control = arms[0], treated = arms[1];
        List<Check> checks = new ArrayList<>();
        if (settings.metrics().contains("dismiss rate")) checks.add(check("dismiss rate", control.shown(), control.dismissed(), treated.shown(), treated.dismissed(), true, min));
        if (settings.metrics().contains("CTR")) checks.add(check("CTR", control.shown(), control.engaged(), treated.shown(), treated.engaged(), false, min));
        if (settings.metrics().contains("conversion rate")) checks.add(check("conversion rate", control.shown(), control.converted(), treated.shown(), treated.converted(), false, min));
        FeedbackStore.CanaryHealth health = null;
        if (settings.metrics().contains("error rate") || settings.metrics().contains("latency p99")) {
            health = store.canaryHealth(routing.active(), canary, since.toEpochMilli());
            if (settings.metrics().contains("error rate")) {
                checks.add(check("error rate", health.control().decisions(), health.control().failed(), health.canary().decisions(), health.canary().failed(), true, min));
            }
            if (settings.metrics().contains("latency p99") && health.controlP99() >= 0) {
                // the share of decisions slower than the control's p99: about 1 % in the control, more in a slower canary
                checks.add(check("latency p99", health.control().timed(), health.control().slower(), health.canary().timed(), health.canary().slower(), true, min));
            }
        }
        Check breach = checks.stream().filter(Check::breached).findFirst().orElse(null);
        if (breach == null) {
            String outcome = control.shown() < min || treated.shown() < min
                    ? "collecting: " + Math.min(control.shown(), treated.shown()) + " of " + min + " shown placements in the smaller arm"
                    : "within guardrails";
            return last = new Report(Instant.now().toString(), canary, routing.active(), checks, outcome, settings);
        }
        String what = breach.metric().equals("latency p99") && health != null
                ? String.format(Locale.ROOT, "latency p99 %.1f ms against %.1f ms: decisions slower than the control's p99", health.canaryP99() / 1000.0,
                        health.controlP99() / 1000.0)
                : breach.metric();
        String unit = breach.metric().equals("error rate") || breach.metric().equals("latency p99") ? "decisions" : "shown";
        String reason = String.format(Locale.ROOT, "guardrail: %s %+.1f pp (95%% CI [%+.1f, %+.1f]) on %s against %s, %d vs %d %s",
                what, breach.differencePp(), breach.lowPp(), breach.highPp(), canary, routing.active(),
                breach.canaryShown(), breach.controlShown(), unit);
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("by", "guardrail", "version", canary, "reason", reason, "expectedRevision", routing.revision()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        RulesServerClient.Forwarded answer = rulesServer.forward("/v1/rules/rollback", body);
        if (answer.status() != 200) {
            LOG.warn("guardrail breached on canary {} ({}) but rules-server refused the roll back: HTTP {} {}", canary, reason, answer.status(), answer.body());
            return last = new Report(Instant.now().toString(), canary, routing.active(), checks, "breached; the roll back was refused: HTTP " + answer.status(), settings);
        }
        LOG.warn("canary {} rolled back: {}", canary, reason);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event", "canary_rolled_back");
        event.put("version", canary);
        event.put("control", routing.active());
        event.put("reason", reason);
        event.put("checks", checks);
        event.put("at", Instant.now().toString());
        webhook.notify(canary + "@" + routing.revision(), event);
        return last = new Report(Instant.now().toString(), canary, routing.active(), checks, "rolled back: " + reason, settings);
    }

    private Check check(String metric, long nC, long xC, long nT, long xT, boolean higherIsWorse, long min) {
        Msprt.Result r = Msprt.test(nC, xC, nT, xT, tau, alpha);
        boolean enough = nC >= min && nT >= min;
        boolean worse = higherIsWorse ? r.low() > 0 : r.high() < 0;
        return new Check(metric, nC, nC == 0 ? 0 : (double) xC / nC, nT, nT == 0 ? 0 : (double) xT / nT,
                r.difference() * 100, r.low() * 100, r.high() * 100, enough && r.significant() && worse);
    }
}
