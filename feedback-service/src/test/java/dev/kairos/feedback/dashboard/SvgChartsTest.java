package dev.kairos.feedback.dashboard;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SvgChartsTest {
    static final Instant T = Instant.parse("2026-11-20T00:00:00Z");

    @Test
    void drawsOneSeriesPerLineWithEscapedNames() {
        String svg = SvgCharts.lines("CTR", List.of(
                new SvgCharts.Line("Rule <b>\"A\" & co", List.of(new SvgCharts.Point(T, 0.1), new SvgCharts.Point(T.plusSeconds(86400), 0.2))),
                new SvgCharts.Line("B", List.of(new SvgCharts.Point(T, null)))), T, T.plusSeconds(2 * 86400), true);
        assertThat(svg).startsWith("<svg").endsWith("</svg>");
        assertThat(svg).contains("data-name=\"Rule &lt;b&gt;&quot;A&quot; &amp; co\"").doesNotContain("<b>");
        assertThat(svg.split("class=\"series\"", -1)).hasSize(3);
        assertThat(svg).contains("22.0%"); // the top of the y axis: 110 % of the largest value
    }

    @Test
    void saysSoWhenThereIsNoData() {
        assertThat(SvgCharts.lines("CTR", List.of(), T, T.plusSeconds(60), true)).contains("No data in this window");
        assertThat(SvgCharts.bars("Impressions", List.of())).contains("No data in this window");
    }

    @Test
    void barsAreProportionalToTheirValues() {
        String svg = SvgCharts.bars("Impressions", List.of(new SvgCharts.Bar("a", 100), new SvgCharts.Bar("b", 50)));
        assertThat(svg).contains("width=\"480\"").contains("width=\"240\"");
    }
}
