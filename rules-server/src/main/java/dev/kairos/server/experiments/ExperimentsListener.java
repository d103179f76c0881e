package dev.kairos.server.experiments;

import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.Topic;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Follows the compacted experiments topic ({@code kairos.topics.experiments}) from the beginning,
 * in a consumer group of its own (every instance must see every definition, like the weights), and
 * hands each record to {@link ExperimentService}, which applies it to this instance's registry;
 * records already applied (at start, or by the instance that wrote them) are skipped by offset.
 */
@KafkaListener(groupId = "kairos-experiments", uniqueGroupId = true, offsetReset = OffsetReset.EARLIEST,
        properties = @io.micronaut.context.annotation.Property(name = "enable.auto.commit", value = "false"))
public class ExperimentsListener {
    private final ExperimentService service;

    public ExperimentsListener(ExperimentService service) {
        this.service = service;
    }

    @Topic("${kairos.topics.experiments}")
    void receive(ConsumerRecord<String, byte[]> record) {
        service.receive(record.offset(), record.key(), record.value());
    }
}
