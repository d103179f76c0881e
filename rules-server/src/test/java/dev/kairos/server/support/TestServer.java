package dev.kairos.server.support;

import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.context.ApplicationContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Starts a real rules server (Netty, random port) on a data folder, for HTTP tests. */
public final class TestServer implements AutoCloseable {
    public static final String WRITE_KEY = "wk_test_app";
    public static final String ADMIN_KEY = "ak_test_admin";

    public final EmbeddedServer server;
    public final Http http;
    public final Path dataDir;

    private TestServer(Path dataDir, Map<String, Object> extra) {
        this.dataDir = dataDir;
        Map<String, Object> props = new java.util.HashMap<>(Map.of(
                "micronaut.server.port", -1,
                "kairos.write-keys", WRITE_KEY + ",wk_other_app",
                "kairos.admin-key", ADMIN_KEY,
                "kairos.data-dir", dataDir.toString()));
        props.putAll(extra);
        this.server = ApplicationContext.run(EmbeddedServer.class, props);
        this.http = new Http(server.getURI());
    }

    public static TestServer start() {
        return start(newDataDir(), Map.of());
    }

    public static TestServer start(Path dataDir, Map<String, Object> extra) {
        return new TestServer(dataDir, extra);
    }

    public static Path newDataDir() {
        try {
            return Files.createTempDirectory("kairos-test-data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.getApplicationContext().close();
    }
}
