package dev.kairos.rules;

import java.util.Objects;
import java.util.Set;

/**
 * A slot in the app being decided, e.g. {@code home_banner}. One fact per requested placement.
 * {@code formats} are the formats the slot can render; empty means any. An adaptation whose
 * format the slot cannot render loses to the next candidate.
 *
 * <p>Placements of the default packs: {@link #HOME_BANNER}, {@link #PRODUCT_PAGE},
 * {@link #ARTICLE_SUMMARY}, {@link #IN_APP_MESSAGE}, {@link #CART_RECOVERY}.
 *
 * <pre>$p : Placement( name == "home_banner" )</pre>
 */
public final class Placement {
    public static final String HOME_BANNER = "home_banner";
    public static final String PRODUCT_PAGE = "product_page";
    public static final String ARTICLE_SUMMARY = "article_summary";
    public static final String IN_APP_MESSAGE = "in_app_message";
    public static final String CART_RECOVERY = "cart_recovery";

    private final String name;
    private final Set<String> formats;

    public Placement(String name, Set<String> formats) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("placement name must not be blank");
        this.name = name;
        this.formats = formats == null ? Set.of() : Set.copyOf(formats);
    }

    public static Placement named(String name) { return new Placement(name, Set.of()); }

    public String getName() { return name; }
    public Set<String> getFormats() { return formats; }

    /**
     * True when this slot can render {@code format}: always when no formats were declared, and
     * always for {@code "none"} (showing nothing, as suppressions do).
     */
    public boolean accepts(String format) {
        return formats.isEmpty() || format == null || "none".equals(format) || formats.contains(format);
    }

    @Override public boolean equals(Object o) { return o instanceof Placement p && name.equals(p.name) && formats.equals(p.formats); }
    @Override public int hashCode() { return Objects.hash(name, formats); }
    @Override public String toString() { return "Placement{" + name + "}"; }
}
