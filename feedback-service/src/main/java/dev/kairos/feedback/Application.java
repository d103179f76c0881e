package dev.kairos.feedback;

import io.micronaut.runtime.Micronaut;

/** Starts the feedback service (port 8081 by default, {@code KAIROS_FEEDBACK_PORT}). */
public final class Application {
    private Application() {}

    public static void main(String[] args) {
        Micronaut.build(args).banner(false).mainClass(Application.class).start();
    }
}
