package dev.kairos.server;

import io.micronaut.runtime.Micronaut;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;

/** Starts the rules server. Configuration: {@code application.yml} and environment variables (see docs/operations.md). */
@OpenAPIDefinition(
        info = @Info(title = "Kairos rules server", version = "1",
                description = "Decide, ingest, rule lifecycle, experiments and user signals. The reference with examples and "
                        + "every error code is docs/api.md; this document is generated from the controllers.",
                license = @License(name = "Apache-2.0")),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An app write key (decide, events, outcomes) or the admin key (everything else)")
public final class Application {
    private Application() {}

    public static void main(String[] args) {
        Micronaut.build(args).banner(false).mainClass(Application.class).environments(roleEnvironments(System.getenv("KAIROS_ROLE"))).start();
    }

    /**
     * The Micronaut environments of a role ({@code KAIROS_ROLE}): {@code all} (or unset) runs everything; {@code ingest}
     * only takes events and outcomes, without the signal engine (application-ingest.yml, docs/operations.md#an-ingest-tier).
     */
    public static String[] roleEnvironments(String role) {
        if (role == null || role.isBlank() || role.strip().equals("all")) return new String[0];
        if (role.strip().equals("ingest")) return new String[] {dev.kairos.server.ingest.IngestOnlyFilter.ENVIRONMENT};
        throw new IllegalArgumentException("KAIROS_ROLE must be 'all' or 'ingest', was '" + role + "'");
    }
}
