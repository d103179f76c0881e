package dev.kairos.feedback.support;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stands in for rules-server at the HTTP boundary in unit tests: answers {@code GET /v1/rules/versions}
 * with a fixed body in the shape docs/api.md ("Rule lifecycle") documents, and records the
 * Authorization header it got. A real rules-server is too heavy for feedback-service's tests.
 */
public final class RulesServerStub implements AutoCloseable {
    private final HttpServer server;
    /** The Authorization header of the last request. */
    public final AtomicReference<String> authorization = new AtomicReference<>();

    public RulesServerStub(String versionsJson) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] body = versionsJson.getBytes(StandardCharsets.UTF_8);
        server.createContext("/v1/rules/versions", exchange -> {
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** The base URL to set as {@code kairos.feedback.rules-server-url}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
