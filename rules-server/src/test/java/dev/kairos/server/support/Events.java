package dev.kairos.server.support;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Builds ingest batches for tests. */
public final class Events {
    private final List<String> items = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();

    public static Events batch() { return new Events(); }

    /** Adds an event for {@code user} with a fresh id; {@code props} is a JSON object. */
    public Events add(String user, String type, String props) {
        return addWithId(UUID.randomUUID().toString(), "\"userId\": \"" + user + "\"", type, props);
    }

    public Events addAnonymous(String anonymousId, String type, String props) {
        return addWithId(UUID.randomUUID().toString(), "\"anonymousId\": \"" + anonymousId + "\"", type, props);
    }

    public Events addRaw(String json) {
        items.add(json);
        return this;
    }

    public Events addWithId(String id, String who, String type, String props) {
        ids.add(id);
        items.add("{\"eventId\": \"" + id + "\", \"type\": \"" + type + "\", " + who + ", \"sessionId\": \"s-1\", "
                + "\"context\": {\"timezone\": \"Europe/Berlin\", \"device\": {\"type\": \"mobile\", \"os\": \"ios\"}}, "
                + "\"properties\": " + props + "}");
        return this;
    }

    public List<String> ids() { return ids; }

    public String json() {
        return "{\"sentAt\": \"2026-11-23T10:00:00Z\", \"batch\": [" + String.join(",", items) + "]}";
    }
}
