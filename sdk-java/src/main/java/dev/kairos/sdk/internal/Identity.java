package dev.kairos.sdk.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Who the events are about: the persisted anonymous id and, once the app identified the user, the
 * user id. Read on the caller's thread (volatile fields, no I/O); loaded from and saved to
 * {@code identity.properties} by the persist worker only.
 */
public final class Identity {
    static final String FILE = "identity.properties";

    private volatile String userId;
    private volatile String anonymousId;
    private volatile boolean optedOut;
    private boolean changedBeforeLoad;
    private final CountDownLatch loaded = new CountDownLatch(1);

    /** The identified user, or {@code null}; {@code null} too while the stored identity is still being read. */
    public String userId() { return userId; }

    /** The identified user, waiting up to {@code timeoutMs} for the stored identity to be read. */
    public String userId(long timeoutMs) {
        if (loaded.getCount() > 0) {
            try {
                loaded.await(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return userId;
    }

    /** The anonymous id, or {@code null} while it is still being read from disk. */
    public String anonymousIdIfLoaded() { return anonymousId; }

    /** The anonymous id, waiting up to {@code timeoutMs} for it to be read from disk (then one is made up and kept). */
    public String anonymousId(long timeoutMs) {
        String id = anonymousId;
        if (id != null) return id;
        try {
            loaded.await(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (anonymousId == null) anonymousId = UUID.randomUUID().toString();
            return anonymousId;
        }
    }

    /** Whether the user opted out; {@code false} too while the stored identity is still being read. */
    public boolean optedOutIfLoaded() { return optedOut; }

    /** Whether the user opted out, waiting up to {@code timeoutMs} for the stored identity to be read. */
    public boolean optedOut(long timeoutMs) {
        if (loaded.getCount() > 0) {
            try {
                loaded.await(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return optedOut;
    }

    /** Records the user's choice at once; the persist worker saves it. */
    public synchronized void setOptedOut(boolean out) {
        this.optedOut = out;
        this.optOutChangedBeforeLoad = true;
    }

    private boolean optOutChangedBeforeLoad;

    public synchronized void identify(String userId) {
        this.userId = userId;
        if (anonymousId == null) changedBeforeLoad = true;
    }

    /** Forgets the user and starts a new anonymous id; returns it. */
    public synchronized String reset() {
        userId = null;
        anonymousId = UUID.randomUUID().toString();
        changedBeforeLoad = true;
        return anonymousId;
    }

    /** Reads the stored identity unless the app already changed it; called once by the persist worker. */
    synchronized void load(Path dir) {
        try {
            if (dir != null && Files.isRegularFile(dir.resolve(FILE))) {
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(dir.resolve(FILE))) {
                    p.load(in);
                }
                String storedAnonymous = blankToNull(p.getProperty("anonymousId"));
                String storedUser = blankToNull(p.getProperty("userId"));
                if (!optOutChangedBeforeLoad) optedOut = Boolean.parseBoolean(p.getProperty("optedOut", "false"));
                if (!changedBeforeLoad) {
                    userId = storedUser;
                    anonymousId = storedAnonymous;
                } else if (anonymousId == null) {
                    anonymousId = storedAnonymous;
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // An unreadable identity file is replaced by a new identity below; events are not affected.
        } finally {
            if (anonymousId == null) anonymousId = UUID.randomUUID().toString();
            loaded.countDown();
        }
    }

    /** Writes the identity atomically (temp file + rename); called by the persist worker. */
    void save(Path dir) throws IOException {
        String user;
        String anonymous;
        boolean out;
        synchronized (this) {
            user = userId;
            anonymous = anonymousId;
            out = optedOut;
        }
        save(dir, user, anonymous, out);
    }

    static void save(Path dir, String userId, String anonymousId, boolean optedOut) throws IOException {
        if (dir == null) return;
        Properties p = new Properties();
        if (optedOut) p.setProperty("optedOut", "true");
        if (anonymousId != null) p.setProperty("anonymousId", anonymousId);
        if (userId != null) p.setProperty("userId", userId);
        Path tmp = dir.resolve(FILE + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "Kairos SDK identity");
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String blankToNull(String s) {
        return s == null || s.trim().isEmpty() ? null : s;
    }
}
