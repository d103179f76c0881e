package dev.kairos.server.experiments;

import dev.kairos.rules.Variant;
import dev.kairos.server.api.ApiException;
import dev.kairos.server.config.KairosConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The experiments of this instance: loaded from the {@link ExperimentStore} on start, changed by
 * the admin endpoints, and read on every decision by {@link #assign}. At most one experiment is
 * active at a time, because a decision records a single variant (see docs/feedback.md).
 * Reads are lock-free (an immutable snapshot swapped on write); writes are serialized.
 */
@io.micronaut.context.annotation.Context
public class ExperimentRegistry {
    /** Users are hashed into 10,000 buckets: the holdout is set in whole percents (100 buckets each). */
    static final int BUCKETS = 10_000;

    private final ExperimentStore store;
    private volatile Map<String, Experiment> experiments;
    private volatile Experiment active;

    public ExperimentRegistry(KairosConfig config) {
        this.store = new ExperimentStore(config.dataDir());
        Map<String, Experiment> loaded = new TreeMap<>();
        for (Experiment e : store.load()) loaded.put(e.name(), e);
        publish(loaded);
    }

    /** Every experiment, by name. */
    public List<Experiment> list() { return List.copyOf(experiments.values()); }

    public Optional<Experiment> get(String name) { return Optional.ofNullable(experiments.get(name)); }

    /**
     * Creates or replaces {@code e} and stores it before it takes effect.
     *
     * @return true when it was created, false when it replaced one
     * @throws ApiException 409 {@code experiment_conflict} when {@code e} is active and another one already is
     */
    public synchronized boolean put(Experiment e) {
        Experiment running = active;
        if (e.active() && running != null && !running.name().equals(e.name())) {
            throw ApiException.conflict("experiment_conflict", "experiment '" + running.name()
                    + "' is active; deactivate it first (a decision records one variant, so one experiment runs at a time)");
        }
        store.save(e);
        Map<String, Experiment> next = new TreeMap<>(experiments);
        boolean created = next.put(e.name(), e) == null;
        publish(next);
        return created;
    }

    /** Deletes the experiment; false when there was none. */
    public synchronized boolean delete(String name) {
        if (!experiments.containsKey(name)) return false;
        store.delete(name);
        Map<String, Experiment> next = new TreeMap<>(experiments);
        next.remove(name);
        publish(next);
        return true;
    }

    /** The user's place in the active experiment, empty when none is active or the user is unknown. */
    public Optional<Assignment> assign(String userKey) {
        Experiment e = active;
        if (e == null || userKey == null) return Optional.empty();
        return Optional.of(assign(e, userKey));
    }

    /**
     * Sticky assignment: the holdout is carved first from one hash bucket ({@code [0, 10000)}, the
     * first {@code holdout × 100} buckets), then the variant is picked from a second, independent
     * hash over the cumulative weights. Both hashes are SHA-256 of the experiment's name and the
     * user key, so the same user gets the same variant on every instance and after every restart,
     * and changing an experiment's weights moves only the users whose share changed hands.
     */
    static Assignment assign(Experiment e, String userKey) {
        if (Long.remainderUnsigned(hash("holdout", e.name(), userKey), BUCKETS) < e.holdout() * (BUCKETS / 100L)) {
            return new Assignment(e.name(), Assignment.HOLDOUT, null);
        }
        long point = Long.remainderUnsigned(hash("variant", e.name(), userKey), e.totalWeight());
        long cumulative = 0;
        Experiment.VariantSpec chosen = e.variants().get(e.variants().size() - 1);
        for (Experiment.VariantSpec v : e.variants()) {
            cumulative += v.weight();
            if (point < cumulative) {
                chosen = v;
                break;
            }
        }
        return new Assignment(e.name(), chosen.name(), new Variant(e.name(), chosen.name(), e.params().getOrDefault(chosen.name(), Map.of())));
    }

    static long hash(String purpose, String experiment, String userKey) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] d = sha.digest((purpose + '\u0000' + experiment + '\u0000' + userKey).getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 8; i++) h = (h << 8) | (d[i] & 0xff);
            return h;
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is always available", ex);
        }
    }

    private void publish(Map<String, Experiment> next) {
        Map<String, Experiment> copy = java.util.Collections.unmodifiableMap(new TreeMap<>(next));
        List<Experiment> running = new ArrayList<>();
        for (Experiment e : copy.values()) if (e.active()) running.add(e);
        // A data dir edited by hand may hold two active ones; the first by name wins, deterministically.
        this.experiments = copy;
        this.active = running.isEmpty() ? null : running.get(0);
    }
}
