package dev.kairos.server.experiments;

import dev.kairos.rules.Variant;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The experiments this instance knows, as last read from the experiments topic (see
 * {@link ExperimentService}), and the assignment of users to them ({@link #assign(String)}), read
 * on every decision. Any number of experiments may be active at once: each assigns every user
 * independently (its own hashes, salted by its name).
 *
 * <pre>ExperimentRegistry registry = new ExperimentRegistry();
 *registry.apply(0, experiment);                    // a record of the experiments topic
 *List&lt;Assignment&gt; mine = registry.assign("user-42");  // one per active experiment, by name</pre>
 *
 * Changes arrive as {@link #apply(long, String, Experiment) records} with their topic offset; a
 * record older than the last one applied for the same name is ignored, so the instance that wrote
 * a change can apply it at once and again when its listener reads it back, in any order, and every
 * instance ends on the same state. Reads are lock-free (an immutable snapshot swapped on write);
 * writes are serialized. Thread-safe.
 */
@Singleton
public class ExperimentRegistry {
    /** Users are hashed into 10,000 buckets: the holdout is set in whole percents (100 buckets each). */
    static final int BUCKETS = 10_000;

    /** The last offset applied per experiment name, deletions included. Guarded by {@code this}. */
    private final Map<String, Long> offsets = new HashMap<>();
    private volatile Map<String, Experiment> experiments = Map.of();
    private volatile List<Experiment> active = List.of();

    /** Every experiment, by name. */
    public List<Experiment> list() { return List.copyOf(experiments.values()); }

    public Optional<Experiment> get(String name) { return Optional.ofNullable(experiments.get(name)); }

    /** Whether a record for {@code name} was applied, a deletion included. */
    public synchronized boolean knows(String name) { return offsets.containsKey(name); }

    /**
     * Applies one record of the experiments topic: {@code experiment} replaces the definition of
     * {@code name}, {@code null} (a tombstone) deletes it. Ignored when a record at the same or a
     * later offset was already applied for that name.
     *
     * @return whether the state changed
     */
    public synchronized boolean apply(long offset, String name, Experiment experiment) {
        Long seen = offsets.get(name);
        if (seen != null && seen >= offset) return false;
        if (experiment != null && !experiment.name().equals(name)) {
            throw new IllegalArgumentException("record key " + name + " does not name experiment " + experiment.name());
        }
        offsets.put(name, offset);
        Map<String, Experiment> next = new TreeMap<>(experiments);
        if (experiment == null) next.remove(name);
        else next.put(name, experiment);
        publish(next);
        return true;
    }

    /**
     * The user's place in every active experiment, ordered by experiment name; empty when none is
     * active or the user is unknown.
     */
    public List<Assignment> assign(String userKey) {
        List<Experiment> running = active;
        if (running.isEmpty() || userKey == null) return List.of();
        if (running.size() == 1) return List.of(assign(running.get(0), userKey));
        List<Assignment> out = new ArrayList<>(running.size());
        for (Experiment e : running) out.add(assign(e, userKey));
        return out;
    }

    /**
     * Sticky assignment: the holdout is carved first from one hash bucket ({@code [0, 10000)}, the
     * first {@code holdout × 100} buckets), then the variant is picked from a second, independent
     * hash over the cumulative weights. Both hashes are SHA-256 of the experiment's name and the
     * user key, so the same user gets the same variant on every instance and after every restart,
     * experiments running side by side split their users independently of each other, and
     * changing an experiment's weights moves only the users whose share changed hands.
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
        Map<String, Experiment> copy = Collections.unmodifiableMap(new TreeMap<>(next));
        List<Experiment> running = new ArrayList<>();
        for (Experiment e : copy.values()) if (e.active()) running.add(e);
        this.experiments = copy;
        this.active = List.copyOf(running);
    }
}
