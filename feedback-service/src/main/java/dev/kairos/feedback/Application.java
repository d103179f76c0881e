package dev.kairos.feedback;

import io.micronaut.runtime.Micronaut;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;

/** Starts the feedback service (port 8081 by default, {@code KAIROS_FEEDBACK_PORT}). */
@OpenAPIDefinition(
        info = @Info(title = "Kairos feedback service", version = "1",
                description = "KPIs, experiment results, charts, rule activity, weights and recalibration, marketer sign-in. "
                        + "The reference with examples and every error code is docs/api.md; this document is generated from the controllers.",
                license = @License(name = "Apache-2.0")),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "The admin key, or a marketer session token from POST /v1/login (read-only)")
public final class Application {
    private Application() {}

    public static void main(String[] args) {
        Micronaut.build(args).banner(false).mainClass(Application.class).start();
    }
}
