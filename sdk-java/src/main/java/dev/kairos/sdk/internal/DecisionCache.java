package dev.kairos.sdk.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.sdk.Adaptation;
import dev.kairos.sdk.KairosLogger;
import dev.kairos.sdk.KairosLogger.Level;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The last good server answer per (scope, placement), where the scope is the user the decision was
 * for plus a digest of the context the app passed: what {@link Decider} falls back to. Bounded
 * (least recently used out), entries expire after {@link #MAX_AGE_MS}, and with a storage directory
 * kept in {@code decisions.json} so that it survives a restart and an offline start. The file is
 * read and written on one background thread ({@code kairos-cache}), never on the caller's.
 */
public final class DecisionCache {
    static final String FILE = "decisions.json";
    static final int MAX_ENTRIES = 256;
    static final long MAX_AGE_MS = TimeUnit.DAYS.toMillis(7);
    /** How long a fallback waits for the file to be read at start. */
    private static final long LOAD_WAIT_MS = 200;
    /** Answers arriving within this long are written to the file together (a busy backend decides often). */
    static final long SAVE_DELAY_MS = 1_000;

    /** One cached placement with the decision it came from. */
    public static final class Entry {
        public final Adaptation adaptation;
        public final @Nullable String rulesVersion;
        public final @Nullable String weightsVersion;
        public final List<String> segments;
        public final Map<String, String> variants;
        final long storedAt;

        Entry(Adaptation adaptation, @Nullable String rulesVersion, @Nullable String weightsVersion, List<String> segments,
              Map<String, String> variants, long storedAt) {
            this.adaptation = adaptation;
            this.rulesVersion = rulesVersion;
            this.weightsVersion = weightsVersion;
            this.segments = segments;
            this.variants = variants;
            this.storedAt = storedAt;
        }
    }

    private final @Nullable Path dir;
    private final KairosLogger logger;
    private final Map<String, Entry> entries = new LinkedHashMap<String, Entry>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, DecisionCache.Entry> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    private final CountDownLatch loaded = new CountDownLatch(1);
    private final AtomicBoolean saveScheduled = new AtomicBoolean();
    private final ScheduledThreadPoolExecutor io;
    /** Bumped by {@link #clear()}: a load or save that started before it must not bring entries back. */
    private long generation;

    public DecisionCache(@Nullable Path storageDirectory, KairosLogger logger) {
        this.dir = storageDirectory;
        this.logger = logger;
        this.io = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kairos-cache");
            t.setDaemon(true);
            return t;
        });
        io.setKeepAliveTime(10, TimeUnit.SECONDS);
        io.allowCoreThreadTimeOut(true);
        if (dir == null) loaded.countDown();
        else io.execute(this::load);
    }

    /** Remembers the placements of a good server answer. */
    public void put(String scope, List<Adaptation> adaptations, @Nullable String rulesVersion, @Nullable String weightsVersion,
                    List<String> segments, Map<String, String> variants) {
        long now = System.currentTimeMillis();
        synchronized (entries) {
            for (Adaptation a : adaptations) {
                entries.put(key(scope, a.placement()), new Entry(a, rulesVersion, weightsVersion, segments, variants, now));
            }
        }
        scheduleSave();
    }

    /** The last good answer for {@code placement} in {@code scope}, or {@code null}. */
    public @Nullable Entry get(String scope, String placement) {
        if (loaded.getCount() > 0) {
            try {
                loaded.await(LOAD_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (entries) {
            Entry e = entries.get(key(scope, placement));
            if (e == null) return null;
            if (System.currentTimeMillis() - e.storedAt > MAX_AGE_MS) {
                entries.remove(key(scope, placement));
                return null;
            }
            return e;
        }
    }

    /** Forgets every cached answer, in memory and on disk (a log-out, an opt-out). */
    public void clear() {
        synchronized (entries) {
            entries.clear();
            generation++;
        }
        saveScheduled.set(false); // a write still waiting has nothing left to write
        if (dir != null) io.execute(() -> {
            try {
                Files.deleteIfExists(dir.resolve(FILE));
            } catch (IOException e) {
                logger.log(Level.WARN, "cannot delete the decision cache " + dir.resolve(FILE), e);
            }
        });
    }

    /** Entries cached now; for tests. */
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    /** Writes what is pending now and waits until it is done, at most {@code timeoutMs}; for close and tests. */
    public void awaitIdle(long timeoutMs) {
        CountDownLatch done = new CountDownLatch(1);
        try {
            if (dir != null && saveScheduled.compareAndSet(true, false)) io.execute(this::save);
            io.execute(done::countDown);
            done.await(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException rejected) {
            // shut down already
        }
    }

    private static String key(String scope, String placement) {
        return scope + '\u0001' + placement;
    }

    /** Writes the file once, {@link #SAVE_DELAY_MS} after the first answer not written yet. */
    private void scheduleSave() {
        if (dir == null || !saveScheduled.compareAndSet(false, true)) return;
        io.schedule(() -> {
            if (saveScheduled.compareAndSet(true, false)) save();
        }, SAVE_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    private void load() {
        long gen;
        synchronized (entries) {
            gen = generation;
        }
        try {
            Path file = dir.resolve(FILE);
            if (!Files.isRegularFile(file)) return;
            JsonNode root = Pipeline.JSON.readTree(file.toFile());
            long now = System.currentTimeMillis();
            Map<String, Entry> read = new LinkedHashMap<>();
            for (JsonNode n : root.path("entries")) {
                long at = n.path("at").asLong();
                if (now - at > MAX_AGE_MS) continue;
                Adaptation a = Decider.adaptation(n.path("adaptation"), text(n.path("adaptation"), "decisionId"));
                List<String> segments = new ArrayList<>();
                for (JsonNode s : n.path("segments")) segments.add(s.asText());
                Map<String, String> variants = new LinkedHashMap<>();
                n.path("variants").fields().forEachRemaining(e -> variants.put(e.getKey(), e.getValue().asText()));
                read.put(key(n.path("scope").asText(), a.placement()),
                        new Entry(a, text(n, "rulesVersion"), text(n, "weightsVersion"), segments, variants, at));
            }
            synchronized (entries) {
                if (gen != generation) return;
                // Answers that arrived while the file was read are newer: keep them.
                for (Map.Entry<String, Entry> e : read.entrySet()) entries.putIfAbsent(e.getKey(), e.getValue());
            }
        } catch (IOException | RuntimeException e) {
            logger.log(Level.WARN, "cannot read the decision cache " + dir.resolve(FILE) + "; starting without it", e);
        } finally {
            loaded.countDown();
        }
    }

    private void save() {
        List<Map.Entry<String, Entry>> copy;
        long gen;
        synchronized (entries) {
            copy = new ArrayList<>(entries.entrySet());
            gen = generation;
        }
        Path tmp = dir.resolve(FILE + ".tmp");
        try {
            if (copy.isEmpty()) {
                Files.deleteIfExists(dir.resolve(FILE));
                return;
            }
            Files.createDirectories(dir);
            try (OutputStream out = Files.newOutputStream(tmp); JsonGenerator g = Pipeline.JSON.getFactory().createGenerator(out)) {
                g.writeStartObject();
                g.writeNumberField("version", 1);
                g.writeArrayFieldStart("entries");
                for (Map.Entry<String, Entry> me : copy) {
                    Entry e = me.getValue();
                    Adaptation a = e.adaptation;
                    g.writeStartObject();
                    g.writeStringField("scope", me.getKey().substring(0, me.getKey().lastIndexOf('\u0001')));
                    g.writeNumberField("at", e.storedAt);
                    if (e.rulesVersion != null) g.writeStringField("rulesVersion", e.rulesVersion);
                    if (e.weightsVersion != null) g.writeStringField("weightsVersion", e.weightsVersion);
                    g.writeFieldName("segments");
                    Values.write(g, e.segments);
                    g.writeFieldName("variants");
                    Values.write(g, e.variants);
                    g.writeObjectFieldStart("adaptation");
                    g.writeStringField("placement", a.placement());
                    writeOpt(g, "contentId", a.contentId());
                    writeOpt(g, "tone", a.tone());
                    writeOpt(g, "format", a.format());
                    writeOpt(g, "cta", a.cta());
                    writeOpt(g, "rule", a.rule());
                    writeOpt(g, "reason", a.reason());
                    writeOpt(g, "decisionId", a.decisionId());
                    g.writeBooleanField("fallback", a.fallback());
                    g.writeBooleanField("suppressed", a.suppressed());
                    g.writeFieldName("params");
                    Values.write(g, a.params());
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            synchronized (entries) {
                // Cleared while writing: the old answers must not reappear on disk.
                if (gen != generation) {
                    Files.deleteIfExists(tmp);
                    return;
                }
            }
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            logger.log(Level.WARN, "cannot write the decision cache " + dir.resolve(FILE), e);
        }
    }

    private static void writeOpt(JsonGenerator g, String field, @Nullable String value) throws IOException {
        if (value != null) g.writeStringField(field, value);
    }

    private static @Nullable String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
