package dev.kairos.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka cluster of several brokers on one machine (KRaft: every node is broker and
 * controller, a static quorum), each its own JVM like {@link LocalKafka}. Replication factor 3
 * (at most the cluster size) and {@code min.insync.replicas=2} by default, so with producers using
 * {@code acks=all} an acknowledged record survives losing a broker.
 *
 * <pre>try (LocalKafkaCluster kafka = LocalKafkaCluster.start(Path.of("data/kafka"), 3, 0, "384m", null)) {
 *    String bootstrap = kafka.bootstrapServers();   // "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3"
 *    kafka.node(2).kill();                          // kill -9 one broker
 *}</pre>
 * Node {@code i} keeps its data in {@code dataDir/node-i}. Not thread-safe.
 */
public final class LocalKafkaCluster implements AutoCloseable {
    private final List<LocalKafka> nodes;

    private LocalKafkaCluster(List<LocalKafka> nodes) {
        this.nodes = nodes;
    }

    /**
     * Starts {@code size} nodes and waits until all serve. {@code basePort} 0 picks free ports; else
     * node {@code i} (from 0) listens on {@code basePort + 2i} and its controller on
     * {@code basePort + 2i + 1}. {@code libDir} null: the default broker jars.
     */
    public static LocalKafkaCluster start(Path dataDir, int size, int basePort, String heap, Path libDir) {
        if (size < 1 || size > 9) throw new IllegalArgumentException("a cluster has 1 to 9 brokers, not " + size);
        int[] ports = new int[size];
        int[] controllers = new int[size];
        for (int i = 0; i < size; i++) {
            ports[i] = basePort == 0 ? LocalKafka.freePort() : basePort + 2 * i;
            controllers[i] = basePort == 0 ? LocalKafka.freePort() : basePort + 2 * i + 1;
        }
        StringBuilder voters = new StringBuilder();
        for (int i = 0; i < size; i++) voters.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:").append(controllers[i]);
        String clusterId = clusterId(dataDir);
        List<LocalKafka> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            LocalKafka.Builder b = LocalKafka.builder().dataDir(dataDir.resolve("node-" + (i + 1))).port(ports[i]).controllerPort(controllers[i])
                    .heap(heap).member(i + 1, size, voters.toString(), clusterId);
            if (libDir != null) b.libDir(libDir);
            nodes.add(b.build());
        }
        LocalKafkaCluster cluster = new LocalKafkaCluster(nodes);
        try {
            for (LocalKafka n : nodes) n.launch();
            for (LocalKafka n : nodes) n.awaitReady();
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** The cluster id of {@code dataDir}: the one its nodes were formatted with, else a new one (kept in {@code cluster.id}). */
    private static String clusterId(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            Path file = dataDir.resolve("cluster.id");
            if (Files.exists(file)) return Files.readString(file).strip();
            String id = LocalKafka.clusterId();
            Files.writeString(file, id);
            return id;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code host:port,...} of every node, for clients. */
    public String bootstrapServers() {
        StringBuilder b = new StringBuilder();
        for (LocalKafka n : nodes) b.append(b.length() == 0 ? "" : ",").append(n.bootstrapServers());
        return b.toString();
    }

    public int size() { return nodes.size(); }

    /** Node {@code i} (from 0). */
    public LocalKafka node(int i) { return nodes.get(i); }

    /** Restarts any node whose process exits, until interrupted (the launcher's wrapper runs this). */
    void supervise() throws InterruptedException {
        while (true) {
            for (int i = 0; i < nodes.size(); i++) {
                LocalKafka n = nodes.get(i);
                if (!n.isRunning()) {
                    System.err.println("kairos: Kafka broker " + (i + 1) + " exited; restarting it");
                    try {
                        n.start();
                    } catch (RuntimeException e) {
                        System.err.println("kairos: Kafka broker " + (i + 1) + " did not restart: " + e.getMessage());
                    }
                }
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    /**
     * Stops every node (controlled shutdown, in parallel), forcibly after 15 s. A node whose
     * controlled shutdown needs a controller quorum the others already left waits for it in vain
     * (seen as a 30 s stop in CI, against 6 s otherwise). A forced stop loses nothing the node wrote
     * (it is in the operating system's page cache); the node checks its logs on the next start.
     */
    @Override
    public void close() {
        List<Thread> stops = new ArrayList<>();
        for (LocalKafka n : nodes) {
            Thread t = new Thread(() -> n.close(15), "kafka-stop-node");
            t.start();
            stops.add(t);
        }
        for (Thread t : stops) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
