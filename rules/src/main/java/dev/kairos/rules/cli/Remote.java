package dev.kairos.rules.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * The rules server's admin API as the CLI uses it: JSON in and out, the admin key as a bearer
 * token, and every failure turned into a {@link Failure} with a message a marketer can act on and
 * the CLI's exit code.
 */
final class Remote {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Exit codes: the server refused (invalid pack, conflict, unknown version). */
    static final int REFUSED = 1;
    /** Exit codes: a usage problem (missing key, bad argument). */
    static final int USAGE = 2;
    /** Exit codes: the server could not be reached, refused the key, or failed. */
    static final int UNREACHABLE = 3;

    /** A failed call: what to print and the exit code. */
    static final class Failure extends Exception {
        final int exitCode;
        final JsonNode body;

        Failure(int exitCode, String message, JsonNode body) {
            super(message);
            this.exitCode = exitCode;
            this.body = body;
        }
    }

    private final URI base;
    private final String adminKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Remote(String url, String adminKey) throws Failure {
        if (adminKey == null || adminKey.isBlank()) {
            throw new Failure(USAGE, "no admin key: set KAIROS_ADMIN_KEY (./kairos start prints it, and keeps it in data/keys.env)", null);
        }
        try {
            URI u = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (u.getScheme() == null || !u.getScheme().matches("https?") || u.getHost() == null) throw new IllegalArgumentException();
            this.base = u;
        } catch (IllegalArgumentException e) {
            throw new Failure(USAGE, "KAIROS_URL must be an http(s) URL such as http://localhost:8080, was '" + url + "'", null);
        }
        this.adminKey = adminKey.trim();
    }

    String url() {
        return base.toString();
    }

    JsonNode get(String path) throws Failure {
        return send(HttpRequest.newBuilder(base.resolve(base.getPath() + path)).GET(), path);
    }

    JsonNode post(String path, JsonNode body) throws Failure {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body == null ? JSON.createObjectNode() : body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return send(HttpRequest.newBuilder(base.resolve(base.getPath() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)), path);
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    private JsonNode send(HttpRequest.Builder request, String path) throws Failure {
        HttpResponse<String> r;
        try {
            r = http.send(request.header("Authorization", "Bearer " + adminKey).timeout(Duration.ofSeconds(120)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Failure(UNREACHABLE, "cannot reach the rules server at " + base + " (is it running? ./kairos start, or set KAIROS_URL)", null);
        } catch (HttpTimeoutException e) {
            throw new Failure(UNREACHABLE, "the rules server at " + base + " did not answer in time", null);
        } catch (IOException e) {
            throw new Failure(UNREACHABLE, "cannot talk to the rules server at " + base + ": " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(UNREACHABLE, "interrupted", null);
        }
        JsonNode body;
        try {
            body = r.body() == null || r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            body = JSON.createObjectNode().put("text", r.body());
        }
        int status = r.statusCode();
        if (status >= 200 && status < 300) return body;
        String message = body.path("error").path("message").asText(r.body());
        if (status == 401 || status == 403) {
            throw new Failure(UNREACHABLE, "the rules server refused the admin key (HTTP " + status + "): check KAIROS_ADMIN_KEY", body);
        }
        if (status >= 500) throw new Failure(UNREACHABLE, "the rules server failed (HTTP " + status + "): " + message, body);
        throw new Failure(REFUSED, message, body);
    }
}
