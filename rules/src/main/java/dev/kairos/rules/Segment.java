package dev.kairos.rules;

import java.time.Instant;
import java.util.Objects;

/**
 * One micro-segment the user is in, e.g. {@code cart_abandoner} or {@code high_intent_now}; one
 * fact per segment. {@code since} is when the user entered it, {@code null} when unknown.
 *
 * <pre>Segment( name == "cart_history" )
 *not Segment( name == "holdout" )</pre>
 */
public final class Segment {
    private final String name;
    private final Instant since;

    public Segment(String name, Instant since) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("segment name must not be blank");
        this.name = name;
        this.since = since;
    }

    public static Segment of(String name) { return new Segment(name, null); }

    public String getName() { return name; }
    public Instant getSince() { return since; }

    @Override public boolean equals(Object o) { return o instanceof Segment s && name.equals(s.name) && Objects.equals(since, s.since); }
    @Override public int hashCode() { return Objects.hash(name, since); }
    @Override public String toString() { return "Segment{" + name + "}"; }
}
