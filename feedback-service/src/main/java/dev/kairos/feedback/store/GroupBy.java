package dev.kairos.feedback.store;

import java.util.Locale;
import java.util.Optional;

/**
 * What KPIs are broken down by. Outcomes whose decision has not arrived yet are grouped under
 * {@link #PENDING} for the decision's attributes (rule falls back to the rule the outcome names).
 * A decision in several segments counts in each of them, and one made under several experiments
 * in each of its variants.
 */
public enum GroupBy {
    RULE("COALESCE(dp.rule_name, o.rule_name, '" + GroupBy.PENDING + "')"),
    /**
     * {@code "experiment:variant"} from {@code decision_variants}: a decision made under several
     * experiments counts once in each of them (like segments); a label logged without an
     * experiment is shown alone.
     */
    VARIANT("CASE WHEN d.decision_id IS NULL THEN '" + GroupBy.PENDING + "' WHEN dv.decision_id IS NULL THEN '" + GroupBy.NONE
            + "' WHEN dv.experiment = '' THEN dv.variant ELSE dv.experiment || ':' || dv.variant END"),
    SEGMENT("CASE WHEN d.decision_id IS NULL THEN '" + GroupBy.PENDING + "' ELSE COALESCE(ds.segment, '" + GroupBy.NONE + "') END"),
    PLACEMENT("o.placement"),
    /** Everything in one group: the totals. */
    ALL("'all'");

    /** The group of outcomes whose decision is not (yet) stored. */
    public static final String PENDING = "(no decision yet)";
    /** The group of decisions without a variant or segment. */
    public static final String NONE = "(none)";

    final String sql;

    GroupBy(String sql) {
        this.sql = sql;
    }

    /** The parameter value ({@code rule}, {@code variant}, {@code segment}, {@code placement}). */
    public String param() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a {@code groupBy} parameter; {@code all} is not a parameter value. */
    public static Optional<GroupBy> parse(String value) {
        for (GroupBy g : values()) {
            if (g != ALL && g.param().equals(value)) return Optional.of(g);
        }
        return Optional.empty();
    }
}
