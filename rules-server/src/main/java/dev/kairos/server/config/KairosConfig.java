package dev.kairos.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings under {@code kairos.*} (environment variables in brackets):
 * <ul>
 *   <li>{@code write-keys} ({@code KAIROS_WRITE_KEYS}): comma-separated app write keys for ingest and decide; required.</li>
 *   <li>{@code admin-key} ({@code KAIROS_ADMIN_KEY}): the key for rule management; required.</li>
 *   <li>{@code data-dir} ({@code KAIROS_DATA_DIR}, default {@code ./data}): where rule versions are kept.</li>
 *   <li>{@code max-drl-bytes} (1 MiB per pack), {@code max-rules} (5000), {@code compile-timeout} (30 s),
 *       {@code max-firings} (1000 per evaluation).</li>
 * </ul>
 */
@ConfigurationProperties("kairos")
public record KairosConfig(
        @Bindable(defaultValue = "") List<String> writeKeys,
        @Bindable(defaultValue = "") String adminKey,
        @Bindable(defaultValue = "data") Path dataDir,
        @Bindable(defaultValue = "1048576") long maxDrlBytes,
        @Bindable(defaultValue = "5000") int maxRules,
        @Bindable(defaultValue = "30s") Duration compileTimeout,
        @Bindable(defaultValue = "1000") int maxFirings) {
}
