package dev.kairos.feedback.weights;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The held-out slice every refit validates on: a fixed share of decisions chosen by a hash of the
 * decision id, so the same decisions are held out every time and by every model (weights,
 * predictors).
 */
public final class Holdout {
    private Holdout() {}

    /** Whether {@code decisionId} is in the held-out {@code percent} %. */
    public static boolean contains(String decisionId, int percent) {
        CRC32 crc = new CRC32();
        crc.update(decisionId.getBytes(StandardCharsets.UTF_8));
        return crc.getValue() % 100 < percent;
    }
}
