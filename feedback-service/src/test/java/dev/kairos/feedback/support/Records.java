package dev.kairos.feedback.support;

import java.time.Instant;

/** Decision and outcome records as rules-server writes them to its topics (schema version 1). */
public final class Records {
    private Records() {}

    public static String decision(String decisionId, String userId, Instant at, String rule, String placement, boolean fallback,
                                  String variant, double intentScore, String... segments) {
        StringBuilder seg = new StringBuilder();
        for (String s : segments) seg.append(seg.length() == 0 ? "" : ",").append('"').append(s).append('"');
        return """
                {"schemaVersion":1,"decisionId":"%s","timestamp":"%s","userId":"%s","anonymousId":null,"sessionId":"s-1",
                 "rulesVersion":"v1","weightsVersion":"default","canary":false,"variant":%s,"placements":["%s"],
                 "adaptations":[{"placement":"%s","contentId":"c-1","rule":"%s","tone":"casual","format":"banner","cta":"Go",
                   "fallback":%s,"suppressed":false}],
                 "matchedRules":["%s"],"segments":[%s],
                 "signals":{"intentScore":%s,"recency":%s,"depth":0.5,"conversionProbability":0.5,"scrollDepth":0,
                   "rapidScrollBursts":0,"dwellSeconds":0,"pageViews":1,"cartItems":0,"failedPurchasesInRow":0,"adTapRate":0,"deviation":0},
                 "weights":{"recency":0.4,"depth":0.3,"conversion":0.3}}
                """.formatted(decisionId, at, userId, variant == null ? "null" : '"' + variant + '"', placement, placement, rule,
                fallback, rule, seg, intentScore, intentScore);
    }

    public static String outcome(String decisionId, String userId, Instant at, String placement, String type) {
        return """
                {"schemaVersion":1,"decisionId":"%s","placement":"%s","type":"%s","userId":"%s","timestamp":"%s","receivedAt":%d}
                """.formatted(decisionId, placement, type, userId, at, at.toEpochMilli());
    }
}
