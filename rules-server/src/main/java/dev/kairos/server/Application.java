package dev.kairos.server;

import io.micronaut.runtime.Micronaut;

/** Starts the rules server. Configuration: {@code application.yml} and environment variables (see docs/operations.md). */
public final class Application {
    private Application() {}

    public static void main(String[] args) {
        Micronaut.build(args).banner(false).mainClass(Application.class).start();
    }
}
