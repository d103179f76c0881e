package dev.kairos.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.mockwebserver.RecordedRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reads what the SDK sent to a MockWebServer. */
final class Collector {
    static final ObjectMapper JSON = new ObjectMapper();

    private Collector() { }

    /** The request body, un-gzipped when it says so, as JSON. */
    static JsonNode body(RecordedRequest request) {
        try {
            byte[] raw = request.getBody().readByteArray();
            if ("gzip".equals(request.getHeader("Content-Encoding"))) {
                try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
                    raw = in.readAllBytes();
                }
            }
            return JSON.readTree(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> batch(RecordedRequest request) {
        List<JsonNode> out = new ArrayList<>();
        body(request).path("batch").forEach(out::add);
        return out;
    }

    static String ok(int accepted) {
        return "{\"accepted\": " + accepted + ", \"duplicates\": 0, \"rejected\": []}";
    }
}
