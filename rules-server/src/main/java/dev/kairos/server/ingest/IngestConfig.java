package dev.kairos.server.ingest;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Ingest limits under {@code kairos.ingest.*}: at most {@code max-batch} (500) items per batch and
 * {@code max-event-bytes} (32 KiB) per item; the whole body is bounded by
 * {@code micronaut.server.max-request-size} (1 MiB, {@code KAIROS_MAX_BODY_BYTES}).
 */
@ConfigurationProperties("kairos.ingest")
public record IngestConfig(@Bindable(defaultValue = "500") int maxBatch, @Bindable(defaultValue = "32768") int maxEventBytes) {}
