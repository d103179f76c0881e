package dev.kairos.server.rules;

import dev.kairos.rules.Placement;
import dev.kairos.rules.Weights;
import dev.kairos.rules.engine.DecisionInput;
import dev.kairos.rules.lint.PackLinter;
import dev.kairos.server.decide.CurrentWeights;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The names the rule linter may take as known on this instance: placements (the default pack's,
 * the catalog in {@code kairos.rules.placements} / {@code KAIROS_RULES_PLACEMENTS}, and those named
 * in decide requests), named weights (the current version's), custom signal names and content
 * categories seen in decide requests. Traffic-learned names are per instance and bounded
 * ({@link #MAX_PER_KIND} each); a warning is advice, so an instance that has seen less simply
 * warns more. Thread-safe; {@link #observe} costs a few hash lookups per decision.
 */
@Singleton
public class KnownNames {
    /** At most this many traffic-learned names of each kind. */
    public static final int MAX_PER_KIND = 1000;

    private final Set<String> catalog;
    private final CurrentWeights weights;
    private final Set<String> placements = ConcurrentHashMap.newKeySet();
    private final Set<String> customSignals = ConcurrentHashMap.newKeySet();
    private final Set<String> categories = ConcurrentHashMap.newKeySet();

    public KnownNames(CurrentWeights weights, @Value("${kairos.rules.placements:}") String catalog) {
        this.weights = weights;
        Set<String> c = new TreeSet<>();
        Arrays.stream(catalog.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(c::add);
        this.catalog = Set.copyOf(c);
    }

    /** Learns the names one decision's facts use. */
    public void observe(DecisionInput input) {
        for (Placement p : input.placements()) add(placements, p.getName());
        if (input.signals() == null) return;
        addAll(customSignals, input.signals().getCustom());
        addAll(categories, input.signals().getDwellByCategory());
        addAll(categories, input.signals().getProductViewsByCategory());
    }

    private static void addAll(Set<String> set, Map<String, ?> names) {
        if (names.isEmpty()) return;
        for (String n : names.keySet()) add(set, n);
    }

    private static void add(Set<String> set, String name) {
        if (set.size() < MAX_PER_KIND && !set.contains(name)) set.add(name);
    }

    /** What the linter may take as known now. Custom signals and categories count only once traffic named some. */
    public PackLinter.Known known() {
        Set<String> p = new TreeSet<>(PackLinter.DEFAULT_PLACEMENTS);
        p.addAll(catalog);
        p.addAll(placements);
        Set<String> w = new TreeSet<>(Weights.DEFAULT_NAMED.keySet());
        w.addAll(weights.get().getNamed().keySet());
        return new PackLinter.Known(p, w, customSignals.isEmpty() ? null : Set.copyOf(customSignals),
                categories.isEmpty() ? null : Set.copyOf(categories));
    }
}
