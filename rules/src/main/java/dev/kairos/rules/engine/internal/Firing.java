package dev.kairos.rules.engine.internal;

import dev.kairos.rules.AdaptationBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * The evaluation in progress on this thread: the rule now firing and what the consequences
 * recorded. Engine machinery, not for rules; {@link dev.kairos.rules.Actions} reads it.
 * Drools fires a session's rules on the thread that called {@code fireAllRules}, so a thread
 * local is exact and costs one lookup per action.
 */
public final class Firing {
    private static final ThreadLocal<Firing> CURRENT = ThreadLocal.withInitial(Firing::new);

    private final List<AdaptationBuilder> recorded = new ArrayList<>();
    private final List<String> fired = new ArrayList<>();
    private final List<dev.kairos.rules.TriggerBuilder> triggers = new ArrayList<>();
    private boolean active;
    private int inserted;
    private String ruleName;
    private int salience;
    private String description;
    private int choicesInFiring;
    private dev.kairos.rules.learn.Exploration exploration = dev.kairos.rules.learn.Exploration.NONE;
    private boolean exploring;
    private dev.kairos.rules.engine.DecisionInput input;
    private double[] features;

    private Firing() {}

    /** The evaluation running on this thread. */
    public static Firing current() {
        Firing f = CURRENT.get();
        if (!f.active) {
            throw new IllegalStateException("adapt/suppress/fallback/trigger can only be called from a rule consequence while Kairos fires rules");
        }
        return f;
    }

    /** Starts recording on this thread; the returned instance is reused, call {@link #end()} in finally. */
    public static Firing begin() {
        Firing f = CURRENT.get();
        f.recorded.clear();
        f.fired.clear();
        f.triggers.clear();
        f.ruleName = null;
        f.inserted = 0;
        f.exploration = dev.kairos.rules.learn.Exploration.NONE;
        f.exploring = false;
        f.input = null;
        f.features = null;
        f.active = true;
        return f;
    }

    /** Stops recording. */
    public void end() {
        active = false;
        ruleName = null;
    }

    /** Called before each rule firing. */
    public void enter(String ruleName, int salience, String description) {
        this.ruleName = ruleName;
        this.salience = salience;
        this.description = description;
        this.choicesInFiring = 0;
        fired.add(ruleName);
    }

    public AdaptationBuilder record(AdaptationBuilder b) {
        recorded.add(b);
        return b;
    }

    /** Sets what choices are made with in this evaluation; {@code exploring} false (holdout) takes the best value only. */
    public void explore(dev.kairos.rules.learn.Exploration exploration, boolean exploring, dev.kairos.rules.engine.DecisionInput input) {
        this.exploration = exploration == null ? dev.kairos.rules.learn.Exploration.NONE : exploration;
        this.exploring = exploring;
        this.input = input;
    }

    /**
     * A rule's {@code choose(values)}: the bandit's pick for the adaptation this rule started last
     * (its placement bounds the exploration), recorded on it with its propensity.
     */
    public String choose(String[] values) {
        if (values == null || values.length == 0) throw new IllegalArgumentException("choose(...) needs at least one value");
        java.util.List<String> arms = java.util.List.of(values);
        AdaptationBuilder target = null;
        for (int i = recorded.size() - 1; i >= 0; i--) {
            if (java.util.Objects.equals(recorded.get(i).getRule(), ruleName)) {
                target = recorded.get(i);
                break;
            }
        }
        String point = ruleName + "#" + (++choicesInFiring);
        double epsilon = exploring && target != null ? exploration.epsilon(target.getPlacement()) : 0;
        if (features == null && input != null) features = dev.kairos.rules.learn.Features.of(input);
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        dev.kairos.rules.learn.Bandit.Choice c = dev.kairos.rules.learn.Bandit.choose(point, exploration.model(point), arms,
                features == null ? new double[0] : features, epsilon, r.nextDouble(), r.nextDouble());
        if (target != null) target.choice(c);
        return c.value();
    }

    public dev.kairos.rules.TriggerBuilder trigger(dev.kairos.rules.TriggerBuilder t) {
        triggers.add(t);
        return t;
    }

    /** The triggers the consequences emitted, in firing order. */
    public List<dev.kairos.rules.TriggerBuilder> triggers() { return triggers; }

    public String ruleName() { return ruleName; }
    /** Counts one fact inserted by a rule; returns the count so far in this evaluation. */
    public int inserted() { return ++inserted; }
    public int salience() { return salience; }
    public String description() { return description; }
    public List<AdaptationBuilder> recorded() { return recorded; }
    public List<String> fired() { return fired; }
}
