package dev.kairos.server.auth;

import dev.kairos.server.config.KairosConfig;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.exceptions.ConfigurationException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The configured keys, checked at start-up (the server refuses to start without them) and
 * compared in constant time. Keys are never logged.
 */
@Context
public final class ApiKeys {
    private final byte[][] writeKeys;
    private final byte[] adminKey;

    public ApiKeys(KairosConfig config) {
        List<String> keys = config.writeKeys() == null ? List.of()
                : config.writeKeys().stream().map(String::strip).filter(k -> !k.isEmpty()).toList();
        if (keys.isEmpty()) {
            throw new ConfigurationException("no app write key configured: set KAIROS_WRITE_KEYS (comma-separated) or kairos.write-keys");
        }
        if (config.adminKey() == null || config.adminKey().isBlank()) {
            throw new ConfigurationException("no admin key configured: set KAIROS_ADMIN_KEY or kairos.admin-key");
        }
        for (String k : keys) {
            if (k.equals(config.adminKey().strip())) {
                throw new ConfigurationException("the admin key must differ from every write key");
            }
        }
        this.writeKeys = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        this.adminKey = config.adminKey().strip().getBytes(StandardCharsets.UTF_8);
    }

    /** True when {@code key} is one of the app write keys. */
    public boolean isWriteKey(String key) {
        if (key == null) return false;
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] w : writeKeys) match |= MessageDigest.isEqual(w, k);
        return match;
    }

    /** True when {@code key} is the admin key. */
    public boolean isAdminKey(String key) {
        return key != null && MessageDigest.isEqual(adminKey, key.getBytes(StandardCharsets.UTF_8));
    }
}
