package dev.kairos.feedback.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.feedback.store.DecisionRow;
import dev.kairos.feedback.support.Records;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Decision records into rows: the experiment variants, from new and from older records. */
class RecordReaderTest {
    static final Instant T = Instant.parse("2026-11-23T18:30:00Z");
    final RecordReader reader = new RecordReader(new ObjectMapper());

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsEveryExperimentOfTheVariantsObject() {
        String record = Records.decision("d1", "u1", T, "R", "home_banner", false, "banner_copy:copy_b", 0.5)
                .replace("\"variant\":\"banner_copy:copy_b\"", "\"variant\":\"banner_copy:copy_b\",\"variants\":{\"banner_copy\":\"copy_b\",\"cta_copy\":\"holdout\"}");
        DecisionRow row = reader.decision(bytes(record));
        assertThat(row.variant()).isEqualTo("banner_copy:copy_b");
        assertThat(row.variants()).containsExactly(Map.entry("banner_copy", "copy_b"), Map.entry("cta_copy", "holdout"));
    }

    @Test
    void splitsTheSingleVariantOfAnOlderRecord() {
        assertThat(reader.decision(bytes(Records.decision("d1", "u1", T, "R", "home_banner", false, "banner_copy:holdout", 0.5))).variants())
                .containsExactly(Map.entry("banner_copy", "holdout"));
        assertThat(reader.decision(bytes(Records.decision("d2", "u1", T, "R", "home_banner", false, "A", 0.5))).variants())
                .containsExactly(Map.entry(DecisionRow.NO_EXPERIMENT, "A"));
        assertThat(reader.decision(bytes(Records.decision("d3", "u1", T, "R", "home_banner", false, null, 0.5))).variants()).isEmpty();
    }

    @Test
    void anEmptyVariantsObjectMeansNoExperiment() {
        String record = Records.decision("d1", "u1", T, "R", "home_banner", false, null, 0.5)
                .replace("\"variant\":null", "\"variant\":null,\"variants\":{}");
        assertThat(reader.decision(bytes(record)).variants()).isEmpty();
    }

    @Test
    void aVariantThatIsNotTextIsRefused() {
        String record = Records.decision("d1", "u1", T, "R", "home_banner", false, null, 0.5)
                .replace("\"variant\":null", "\"variant\":null,\"variants\":{\"x\":1}");
        assertThatThrownBy(() -> reader.decision(bytes(record))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("variants.x");
    }

    @Test
    void aBadTriggerOrChoiceIsLeftOutAndTheDecisionKept() {
        String good = "{\"idempotencyKey\":\"k-good\",\"channel\":\"email\",\"name\":\"cart\",\"params\":{},\"cooldownSeconds\":3600}";
        String huge = "{\"idempotencyKey\":\"k-huge\",\"channel\":\"email\",\"name\":\"cart\",\"params\":{\"x\":\"" + "a".repeat(9000) + "\"}}";
        String fax = "{\"idempotencyKey\":\"k-fax\",\"channel\":\"fax\",\"name\":\"cart\"}";
        String noKey = "{\"channel\":\"email\",\"name\":\"cart\"}";
        String choices = "\"choices\":[{\"point\":\"R#1\",\"arm\":1,\"arms\":[\"a\",\"b\"],\"propensity\":0.5},"
                + "{\"point\":\"R#2\",\"arm\":5,\"arms\":[\"a\",\"b\"],\"propensity\":0.5},{\"point\":\"R#3\",\"arm\":0,\"arms\":[\"a\"],\"propensity\":0}],";
        String record = Records.decision("d-1", "u-1", Instant.parse("2026-11-23T18:30:00Z"), "R", "home_banner", false, null, 0.5)
                .replace("\"fallback\":false,\"suppressed\":false}", "\"fallback\":false,\"suppressed\":false," + choices.substring(0, choices.length() - 1) + "}")
                .replace("\"matchedRules\"", "\"features\":[1,0.5],\"triggers\":[" + good + "," + huge + "," + fax + "," + noKey + "],\"matchedRules\"");
        RecordReader.Decided d = reader.decided(record.getBytes(StandardCharsets.UTF_8));
        assertThat(d.row().decisionId()).isEqualTo("d-1");
        assertThat(d.triggers()).extracting(t -> t.idempotencyKey()).containsExactly("k-good");
        assertThat(d.choices()).extracting(c -> c.point()).containsExactly("R#1");
    }
}
