package dev.kairos.service.health;

import dev.kairos.service.kafka.KafkaClients;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.env.Environment;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.core.naming.conventions.StringConvention;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Whether the Kafka cluster answers, known at all times without asking it per request: a
 * background probe ({@code describeCluster}, 1 s timeout) every {@code kairos.broker-probe.interval}
 * (500 ms) keeps the answer, so losing the broker shows as {@code DOWN} within about 1.5 s and a
 * {@code /health} call costs a field read. The {@code kafka} health indicator (it replaces
 * Micronaut's, which asks the cluster on every call) and callers that should fail fast while Kafka
 * is away ({@link #isUp()}) read it. State changes are logged once. Thread-safe.
 */
@Context
@Requires(property = "kafka.bootstrap.servers")
public class BrokerHealth implements HealthIndicator {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerHealth.class);
    private static final long PROBE_TIMEOUT_MS = 1_000;

    private final Admin admin;
    private final ScheduledExecutorService probe;
    private volatile boolean up;
    private volatile boolean probed;
    private volatile Instant since = Instant.now();
    private volatile String problem = "not probed yet";

    public BrokerHealth(@Value("${kafka.bootstrap.servers}") String bootstrap, Environment environment,
                        @Value("${kairos.broker-probe.interval:500ms}") Duration interval) {
        Map<String, Object> config = KafkaClients.clientConfig(bootstrap, environment.getProperties("kafka", StringConvention.RAW));
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT_MS);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT_MS);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 100);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "kairos-broker-probe");
        this.admin = Admin.create(config);
        this.probe = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kairos-broker-probe");
            t.setDaemon(true);
            return t;
        });
        probe.scheduleWithFixedDelay(this::probe, 0, Math.max(50, interval.toMillis()), TimeUnit.MILLISECONDS);
    }

    private void probe() {
        boolean ok;
        String why = null;
        try {
            ok = !admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) PROBE_TIMEOUT_MS)).nodes()
                    .get(PROBE_TIMEOUT_MS + 200, TimeUnit.MILLISECONDS).isEmpty();
            if (!ok) why = "the cluster has no brokers";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            ok = false;
            why = e.getCause() != null ? e.getCause().getClass().getSimpleName() : e.getClass().getSimpleName();
        }
        if (ok != up || !probed) {
            since = Instant.now();
            if (ok) LOG.info("Kafka is reachable{}", probed ? " again" : "");
            else LOG.warn("Kafka is not reachable ({})", why);
        }
        problem = why;
        up = ok;
        probed = true;
    }

    /** Whether the last probe reached the cluster. */
    public boolean isUp() { return up; }

    @Override
    public Publisher<HealthResult> getResult() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("since", since.toString());
        if (!up && problem != null) details.put("problem", problem);
        return Publishers.just(HealthResult.builder("kafka", up ? HealthStatus.UP : HealthStatus.DOWN).details(details).build());
    }

    @PreDestroy
    void close() {
        probe.shutdownNow();
        admin.close(Duration.ofSeconds(2));
    }
}
