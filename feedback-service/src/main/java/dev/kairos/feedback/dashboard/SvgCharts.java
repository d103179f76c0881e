package dev.kairos.feedback.dashboard;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Renders small, dependency-free SVG charts on the server: a time line chart (one line per
 * series, with a legend) and a horizontal bar chart. Every series element carries
 * {@code class="series"} and {@code data-name}, and every text is XML-escaped (names are
 * marketers' rule names). Stateless.
 *
 * <pre>String svg = SvgCharts.lines("CTR by rule", List.of(new SvgCharts.Line("Evening offer", points)), from, to, true);</pre>
 */
public final class SvgCharts {
    static final int WIDTH = 760;
    static final int HEIGHT = 300;
    private static final int LEFT = 56, RIGHT = 190, TOP = 34, BOTTOM = 34;
    private static final String[] COLOURS = {"#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"};
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MMM d HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

    private SvgCharts() {}

    /** One point of a line; {@code y == null} is a gap. */
    public record Point(Instant t, Double y) {}

    /** One named line. */
    public record Line(String name, List<Point> points) {
        public Line {
            points = List.copyOf(points);
        }
    }

    /** One named bar. */
    public record Bar(String name, double value) {}

    /**
     * A line chart over {@code [from, to]}; {@code percent} formats the y axis as percentages.
     * At most {@value #MAX_SERIES} lines are drawn (the first ones).
     */
    public static String lines(String title, List<Line> lines, Instant from, Instant to, boolean percent) {
        StringBuilder svg = open(title);
        List<Line> shown = lines.subList(0, Math.min(lines.size(), MAX_SERIES));
        double max = 0;
        for (Line l : shown) for (Point p : l.points()) if (p.y() != null) max = Math.max(max, p.y());
        if (shown.isEmpty() || max == 0 && shown.stream().allMatch(l -> l.points().isEmpty())) {
            return empty(svg);
        }
        max = max == 0 ? 1 : max * 1.1;
        if (percent) max = Math.min(1, max);
        int plotW = WIDTH - LEFT - RIGHT, plotH = HEIGHT - TOP - BOTTOM;
        axes(svg, max, percent);
        svg.append(text(LEFT, HEIGHT - 10, DAY.format(from), "start", "axis"));
        svg.append(text(LEFT + plotW, HEIGHT - 10, DAY.format(to), "end", "axis"));
        double span = Math.max(1, to.toEpochMilli() - from.toEpochMilli());
        for (int i = 0; i < shown.size(); i++) {
            Line l = shown.get(i);
            String colour = COLOURS[i % COLOURS.length];
            StringBuilder pts = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            for (Point p : l.points()) {
                if (p.y() == null) continue;
                double x = LEFT + plotW * (p.t().toEpochMilli() - from.toEpochMilli()) / span;
                double y = TOP + plotH * (1 - p.y() / max);
                pts.append(fmt(x)).append(',').append(fmt(y)).append(' ');
                dots.append("<circle cx=\"").append(fmt(x)).append("\" cy=\"").append(fmt(y)).append("\" r=\"3\" fill=\"").append(colour)
                        .append("\"><title>").append(escape(l.name())).append(": ").append(percent ? pct(p.y()) : fmt(p.y())).append("</title></circle>");
            }
            svg.append("<g class=\"series\" data-name=\"").append(escape(l.name())).append("\">");
            svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(colour).append("\" points=\"").append(pts.toString().strip()).append("\"/>");
            svg.append(dots);
            svg.append("</g>");
            legend(svg, i, l.name(), colour);
        }
        return svg.append("</svg>").toString();
    }

    /** A horizontal bar chart, one bar per entry (at most {@value #MAX_BARS}, the first ones). */
    public static String bars(String title, List<Bar> bars) {
        StringBuilder svg = open(title);
        List<Bar> shown = bars.subList(0, Math.min(bars.size(), MAX_BARS));
        if (shown.isEmpty()) return empty(svg);
        double max = shown.stream().mapToDouble(Bar::value).max().orElse(1);
        max = max <= 0 ? 1 : max;
        int labelW = 200, plotW = WIDTH - labelW - 80;
        double rowH = (double) (HEIGHT - TOP - 10) / shown.size();
        for (int i = 0; i < shown.size(); i++) {
            Bar b = shown.get(i);
            double y = TOP + i * rowH;
            double w = Math.max(1, plotW * b.value() / max);
            svg.append("<g class=\"series\" data-name=\"").append(escape(b.name())).append("\">");
            svg.append(text(labelW - 8, y + rowH * 0.65, clip(b.name(), 30), "end", "label"));
            svg.append("<rect x=\"").append(labelW).append("\" y=\"").append(fmt(y + rowH * 0.15)).append("\" width=\"").append(fmt(w))
                    .append("\" height=\"").append(fmt(rowH * 0.7)).append("\" fill=\"").append(COLOURS[0]).append("\"/>");
            svg.append(text(labelW + w + 6, y + rowH * 0.65, fmt(b.value()), "start", "value"));
            svg.append("</g>");
        }
        return svg.append("</svg>").toString();
    }

    static final int MAX_SERIES = 8;
    static final int MAX_BARS = 12;

    private static StringBuilder open(String title) {
        StringBuilder svg = new StringBuilder(4096);
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT).append("\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.append("<title>").append(escape(title)).append("</title>");
        svg.append(text(LEFT, 20, title, "start", "title").replace("class=\"title\"", "class=\"title\" font-weight=\"bold\" font-size=\"14\""));
        return svg;
    }

    /** A chart frame with only a title and a message, e.g. why there is nothing to draw. */
    public static String message(String title, String message) {
        return open(title).append(text(WIDTH / 2.0, HEIGHT / 2.0, message, "middle", "empty")).append("</svg>").toString();
    }

    private static String empty(StringBuilder svg) {
        return svg.append(text(WIDTH / 2.0, HEIGHT / 2.0, "No data in this window", "middle", "empty")).append("</svg>").toString();
    }

    private static void axes(StringBuilder svg, double max, boolean percent) {
        int plotW = WIDTH - LEFT - RIGHT, plotH = HEIGHT - TOP - BOTTOM;
        for (int i = 0; i <= 4; i++) {
            double v = max * i / 4;
            double y = TOP + plotH * (1 - (double) i / 4);
            svg.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + plotW).append("\" y1=\"").append(fmt(y)).append("\" y2=\"")
                    .append(fmt(y)).append("\" stroke=\"#e5e7eb\"/>");
            svg.append(text(LEFT - 6, y + 4, percent ? pct(v) : fmt(v), "end", "axis"));
        }
    }

    private static void legend(StringBuilder svg, int i, String name, String colour) {
        int x = WIDTH - RIGHT + 14, y = TOP + 6 + i * 18;
        svg.append("<rect class=\"legend\" x=\"").append(x).append("\" y=\"").append(y - 9).append("\" width=\"10\" height=\"10\" fill=\"")
                .append(colour).append("\"/>");
        svg.append(text(x + 16, y, clip(name, 24), "start", "legend"));
    }

    private static String text(double x, double y, String s, String anchor, String cls) {
        return "<text class=\"" + cls + "\" x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" text-anchor=\"" + anchor + "\">" + escape(s) + "</text>";
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", v * 100);
    }

    private static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** XML-escapes text and attribute values. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
