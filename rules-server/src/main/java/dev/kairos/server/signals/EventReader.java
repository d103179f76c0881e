package dev.kairos.server.signals;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;

/**
 * Reads an event from the events topic with only what the signal engine uses: the ids, type,
 * times, session, {@code properties} and {@code context.timezone}. Everything else of the event
 * (the rest of the context: device, app, screen, library, location...) is skipped by the parser
 * without building a tree of it, which is most of an SDK event's bytes.
 */
final class EventReader {
    private EventReader() { }

    static JsonNode read(byte[] bytes) throws IOException {
        try (JsonParser p = UserStateSerde.JSON.getFactory().createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("an event must be a JSON object");
            ObjectNode out = UserStateSerde.JSON.createObjectNode();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "properties" -> out.set(name, UserStateSerde.JSON.readTree(p));
                    case "context" -> {
                        if (value == JsonToken.START_OBJECT) out.set(name, context(p));
                        else p.skipChildren();
                    }
                    case "type", "eventId", "userId", "anonymousId", "sessionId", "timestamp", "decisionId", "placement", "rule", "outcomeId" -> {
                        if (value == JsonToken.VALUE_STRING) out.put(name, p.getText());
                        else p.skipChildren();
                    }
                    case "receivedAt" -> {
                        if (value == JsonToken.VALUE_NUMBER_INT) out.put(name, p.getLongValue());
                        else p.skipChildren();
                    }
                    default -> p.skipChildren();
                }
            }
            return out;
        }
    }

    /** Of the context, the time zone only. */
    private static ObjectNode context(JsonParser p) throws IOException {
        ObjectNode context = UserStateSerde.JSON.createObjectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("timezone") && value == JsonToken.VALUE_STRING) context.put(name, p.getText());
            else p.skipChildren();
        }
        return context;
    }
}
