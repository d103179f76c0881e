package dev.kairos.server.ingest;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Ingest limits under {@code kairos.ingest.*}: at most {@code max-batch} (500) items per batch and
 * {@code max-event-bytes} (32 KiB) per item; the whole body is bounded by
 * {@code micronaut.server.max-request-size} (1 MiB, {@code KAIROS_MAX_BODY_BYTES}). The ids of the last
 * {@code recent-ids} (250,000; at most 10,000,000) accepted items per endpoint, within an hour, are
 * remembered to answer retries as duplicates ({@link RecentIds}: at most 51 bytes of heap per id).
 */
@ConfigurationProperties("kairos.ingest")
public record IngestConfig(@Bindable(defaultValue = "500") int maxBatch, @Bindable(defaultValue = "32768") int maxEventBytes,
                           @Bindable(defaultValue = "250000") int recentIds) {
    public IngestConfig {
        if (recentIds < 0 || recentIds > 10_000_000) throw new IllegalArgumentException("kairos.ingest.recent-ids must be between 0 and 10000000");
    }
}
