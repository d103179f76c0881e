package dev.kairos.feedback.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small JDK HTTP client for tests: raw status and JSON body, no exceptions on 4xx. */
public final class Http {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    public Http(URI base) {
        this.base = base;
    }

    public record Response(int status, String body, java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }
    }

    public Response post(String path, String key, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        if (key != null) b.header("Authorization", "Bearer " + key);
        return send(b.build());
    }

    public Response postJson(String path, String key, String body) {
        return post(path, key, "application/json", body);
    }

    public Response putJson(String path, String key, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (key != null) b.header("Authorization", "Bearer " + key);
        return send(b.build());
    }

    public Response delete(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(30)).DELETE();
        if (key != null) b.header("Authorization", "Bearer " + key);
        return send(b.build());
    }

    public Response get(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(30)).GET();
        if (key != null) b.header("Authorization", "Bearer " + key);
        return send(b.build());
    }

    /** The path is appended verbatim (no URI resolution), so tests can send odd spellings such as {@code //v1}. */
    private URI url(String path) {
        String b = base.toString();
        return URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + path);
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
