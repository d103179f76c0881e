package dev.kairos.sdk.internal;

import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * What the caller's thread hands to the persist worker: an event, an outcome, or a command. Built
 * with what is cheap to capture at the call (time, ids, a copy of the properties); the JSON, the
 * event id and the per-event context are made on the worker.
 */
public final class Pending {
    enum Kind { EVENT, OUTCOME, IDENTITY, FLUSH, PERSIST, OPT_OUT }

    final Kind kind;
    final long timestamp;
    final String type;
    final Map<String, Object> properties;
    final String userId;
    final String anonymousId;
    final String sessionId;
    final long sessionStart;
    /** The event's id when the caller chose it; otherwise the worker makes a random one. */
    final String eventId;
    // outcomes
    final String decisionId;
    final String placement;
    final String rule;
    // flush, persist
    final CountDownLatch done;
    /** Identified by the call ({@code track(userId, ...)}), not by the client's identity: never filled in from it. */
    final boolean scoped;

    private Pending(Kind kind, long timestamp, String type, Map<String, Object> properties, String userId, String anonymousId,
                    String sessionId, long sessionStart, String eventId, String decisionId, String placement, String rule, CountDownLatch done) {
        this(kind, timestamp, type, properties, userId, anonymousId, sessionId, sessionStart, eventId, decisionId, placement, rule, done, false);
    }

    private Pending(Kind kind, long timestamp, String type, Map<String, Object> properties, String userId, String anonymousId,
                    String sessionId, long sessionStart, String eventId, String decisionId, String placement, String rule,
                    CountDownLatch done, boolean scoped) {
        this.kind = kind;
        this.timestamp = timestamp;
        this.type = type;
        this.properties = properties;
        this.userId = userId;
        this.anonymousId = anonymousId;
        this.sessionId = sessionId;
        this.sessionStart = sessionStart;
        this.eventId = eventId;
        this.decisionId = decisionId;
        this.placement = placement;
        this.rule = rule;
        this.done = done;
        this.scoped = scoped;
    }

    public static Pending event(long timestamp, String type, Map<String, Object> properties, String userId, String anonymousId,
                                String sessionId, long sessionStart) {
        return event(timestamp, type, properties, userId, anonymousId, sessionId, sessionStart, null);
    }

    /** An event under {@code eventId} (lower-case UUID text), or a fresh random id when null. */
    public static Pending event(long timestamp, String type, Map<String, Object> properties, String userId, String anonymousId,
                                String sessionId, long sessionStart, String eventId) {
        return new Pending(Kind.EVENT, timestamp, type, properties, userId, anonymousId, sessionId, sessionStart, eventId, null, null, null, null);
    }

    /** An event about {@code userId} named by the call, without the client's identity or session. */
    public static Pending scopedEvent(long timestamp, String type, Map<String, Object> properties, String userId, String eventId) {
        return new Pending(Kind.EVENT, timestamp, type, properties, userId, null, null, 0, eventId, null, null, null, null, true);
    }

    /** An outcome about the user a decision was made for, named by the call that asked for it. */
    public static Pending scopedOutcome(long timestamp, String outcome, String decisionId, String placement, String rule,
                                       String userId, String anonymousId, String sessionId) {
        return new Pending(Kind.OUTCOME, timestamp, outcome, null, userId, anonymousId, sessionId, 0, null, decisionId, placement, rule, null, true);
    }

    /** The user opted out: drop what is queued (memory and disk) and save the choice. */
    public static Pending optOut() {
        return new Pending(Kind.OPT_OUT, 0, null, null, null, null, null, 0, null, null, null, null, null);
    }

    public static Pending outcome(long timestamp, String outcome, String decisionId, String placement, String rule, String userId,
                                  String anonymousId, String sessionId) {
        return new Pending(Kind.OUTCOME, timestamp, outcome, null, userId, anonymousId, sessionId, 0, null, decisionId, placement, rule, null);
    }

    /** Save the identity (user id and anonymous id) as it is when the worker gets to this. */
    public static Pending saveIdentity() {
        return new Pending(Kind.IDENTITY, 0, null, null, null, null, null, 0, null, null, null, null, null);
    }

    /** Send everything queued before this; count {@code done} down when it is delivered or given up on. */
    public static Pending flush(CountDownLatch done) {
        return new Pending(Kind.FLUSH, 0, null, null, null, null, null, 0, null, null, null, null, done);
    }

    /** Write everything handed over before this to the queue; count {@code done} down once it is written (never if it failed). */
    public static Pending persist(CountDownLatch done) {
        return new Pending(Kind.PERSIST, 0, null, null, null, null, null, 0, null, null, null, null, done);
    }
}
