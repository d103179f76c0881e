package dev.kairos.kafka;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Apache Kafka broker (KRaft: broker and controller in one process), run as a
 * child JVM from the broker's own jars. Used by the test suites and by {@code ./kairos start}
 * when no {@code kafka.bootstrap.servers} is configured, so a laptop runs the same code path as
 * a cluster.
 *
 * <pre>try (LocalKafka kafka = LocalKafka.builder().dataDir(Path.of("data/kafka")).port(9092).build().start()) {
 *    String bootstrap = kafka.bootstrapServers();   // "127.0.0.1:9092"
 *}</pre>
 *
 * The broker JVM ends when the JVM that started it ends, however that ends ({@link BrokerMain}), so
 * a killed test run or launcher never leaves a broker behind.
 *
 * <p>Data (the log directories, {@code meta.properties}, {@code broker.log}) stays in {@code dataDir}
 * across restarts; the storage is formatted only the first time. The broker jars are found in
 * {@code kairos.kafka.lib} (system property), {@code KAIROS_KAFKA_LIB} (environment), or
 * {@code broker-lib} beside this class's jar. Not thread-safe; start and close from one thread.
 */
public final class LocalKafka implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final Path libDir;
    private final String heap;
    // Cluster membership (see LocalKafkaCluster): a single node is node 1 of a cluster of 1.
    private final int nodeId;
    private final int clusterSize;
    private final String voters;
    private final String clusterId;
    private final java.util.Map<String, String> extra;
    private Process process;
    private long logStart;

    private LocalKafka(Builder b) {
        this.dataDir = b.dataDir.toAbsolutePath();
        this.port = b.port == 0 ? freePort() : b.port;
        int controller = b.controllerPort == 0 ? freePort() : b.controllerPort;
        // A free port is only free now: never pick the client port the caller may have just been handed.
        while (b.controllerPort == 0 && controller == this.port) controller = freePort();
        this.controllerPort = controller;
        this.libDir = b.libDir != null ? b.libDir : defaultLibDir();
        this.heap = b.heap;
        this.nodeId = b.nodeId;
        this.clusterSize = b.clusterSize;
        this.voters = b.voters != null ? b.voters : nodeId + "@127.0.0.1:" + controllerPort;
        this.clusterId = b.clusterId;
        this.extra = java.util.Map.copyOf(b.extra);
    }

    /** This node's KRaft voter entry, {@code id@host:controllerPort}. */
    String voter() { return nodeId + "@127.0.0.1:" + controllerPort; }

    public static Builder builder() { return new Builder(); }

    /** {@code host:port} for clients. */
    public String bootstrapServers() { return "127.0.0.1:" + port; }

    public int port() { return port; }

    public Path dataDir() { return dataDir; }

    /** True while the broker process runs. */
    public boolean isRunning() { return process != null && process.isAlive(); }

    /** Formats the storage if needed, starts the broker and waits until it serves. */
    public LocalKafka start() {
        if (isRunning()) return this;
        launch();
        try {
            awaitReady(dataDir.resolve("broker.log"), logStart);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Kafka in " + dataDir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Kafka", e);
        }
    }

    /** Waits until a {@link #launch launched} node serves (a cluster's nodes only do once a quorum runs). */
    void awaitReady() {
        try {
            awaitReady(dataDir.resolve("broker.log"), logStart);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Kafka in " + dataDir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Kafka", e);
        }
    }

    /** Formats the storage if needed and starts the broker process, without waiting for it. */
    void launch() {
        if (isRunning()) return;
        try {
            Files.createDirectories(dataDir.resolve("logs"));
            Path props = dataDir.resolve("server.properties");
            Files.writeString(props, serverProperties(), StandardCharsets.UTF_8);
            Path log4j = dataDir.resolve("log4j2.properties");
            Files.writeString(log4j, LOG4J, StandardCharsets.UTF_8);
            Path brokerLog = dataDir.resolve("broker.log");
            if (!Files.exists(dataDir.resolve("logs/meta.properties"))) {
                Process format = new ProcessBuilder(java(log4j, "kafka.tools.StorageTool", "format",
                        "-t", clusterId != null ? clusterId : clusterId(), "-c", props.toString(), "--ignore-formatted"))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(brokerLog.toFile())).start();
                if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                    throw new IllegalStateException("formatting Kafka storage failed; see " + brokerLog);
                }
            }
            logStart = Files.exists(brokerLog) ? Files.size(brokerLog) : 0;
            process = new ProcessBuilder(java(log4j, "kafka.Kafka", props.toString()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(brokerLog.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Kafka in " + dataDir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Kafka", e);
        }
    }

    private void awaitReady(Path brokerLog, long logStart) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka exited with " + process.exitValue() + why(brokerLog, logStart) + "; see " + brokerLog);
            }
            if (Files.size(brokerLog) > logStart) {
                String log = Files.readString(brokerLog, StandardCharsets.UTF_8);
                if (log.indexOf("Kafka Server started", (int) Math.min(logStart, log.length())) >= 0 && accepts(port)) return;
            }
            Thread.sleep(100);
        }
        close();
        throw new IllegalStateException("Kafka did not start within " + READY_TIMEOUT.toSeconds() + " s; see " + brokerLog);
    }

    /**
     * The broker's last error since {@code logStart} (", <line>"), with the exception lines that follow it
     * (its message and causes, without stack frames; at most {@value #WHY_LINES} lines joined by " / "), so
     * whoever reads the exception sees why; else the last line naming an exception; empty if none.
     */
    static String why(Path brokerLog, long logStart) {
        try {
            String log = Files.readString(brokerLog, StandardCharsets.UTF_8);
            String[] lines = log.substring((int) Math.min(logStart, log.length())).split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                if (!lines[i].contains(" ERROR ")) continue;
                List<String> why = new ArrayList<>();
                why.add(lines[i].strip());
                for (int j = i + 1; j < lines.length && why.size() < WHY_LINES && !lines[j].startsWith("["); j++) {
                    String line = lines[j].strip();
                    if (!line.isEmpty() && !line.startsWith("at ") && !line.startsWith("...")) why.add(line);
                }
                return ": " + String.join(" / ", why);
            }
            for (int i = lines.length - 1; i >= 0; i--) {
                if (lines[i].contains("ERROR") || lines[i].contains("Exception")) return ": " + lines[i].strip();
            }
            return "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** At most this many lines of the broker's log in {@link #why}. */
    private static final int WHY_LINES = 5;

    private List<String> java(Path log4j, String mainClass, String... args) {
        if (!Files.isDirectory(libDir)) {
            throw new IllegalStateException("Kafka broker jars not found in " + libDir
                    + " (build the kafka-local module, or set kairos.kafka.lib / KAIROS_KAFKA_LIB)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xms128m");
        cmd.add("-Xmx" + heap);
        cmd.add("-XX:+UseG1GC");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dlog4j2.configurationFile=" + log4j.toUri());
        cmd.addAll(extraJavaOptions());
        cmd.add("-cp");
        cmd.add(libDir.toAbsolutePath() + File.separator + "*" + File.pathSeparator + ownLocation());
        // The broker ends with this JVM, however this JVM ends (BrokerMain watches it).
        cmd.add(BrokerMain.class.getName());
        cmd.add(String.valueOf(ProcessHandle.current().pid()));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    private String serverProperties() {
        int replication = Math.min(3, clusterSize);
        int minIsr = clusterSize >= 3 ? 2 : 1;
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=" + nodeId,
                "controller.quorum.voters=" + voters,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dataDir.resolve("logs"),
                "num.partitions=3",
                "auto.create.topics.enable=false",
                "default.replication.factor=" + replication,
                "min.insync.replicas=" + minIsr,
                "offsets.topic.replication.factor=" + replication,
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=" + replication,
                "transaction.state.log.min.isr=" + minIsr,
                "transaction.state.log.num.partitions=3",
                "share.coordinator.state.topic.replication.factor=" + replication,
                "share.coordinator.state.topic.min.isr=" + minIsr,
                "group.initial.rebalance.delay.ms=0",
                "log.retention.hours=168",
                // The log cleaner's map (128 MiB by default, one array) is made when the broker starts and again whenever
                // a cleaner setting changes: in a heap of 256-512 MiB it can fail to fit ("Error starting LogManager:
                // OutOfMemoryError"). An eighth of the heap still takes a million keys or more per cleaning pass.
                "log.cleaner.dedupe.buffer.size=" + dedupeBufferBytes(heap),
                extraProperties()) ;
    }

    /** The log cleaner's map for a broker of {@code heap} (as {@link Builder#heap}): an eighth of it, at most Kafka's 128 MiB. */
    static long dedupeBufferBytes(String heap) {
        long bytes = Long.parseLong(heap.substring(0, heap.length() - 1));
        bytes <<= switch (Character.toLowerCase(heap.charAt(heap.length() - 1))) {
            case 'k' -> 10;
            case 'm' -> 20;
            default -> 30;
        };
        return Math.min(128L << 20, bytes / 8);
    }

    /** The builder's {@link Builder#brokerProperty} entries, sorted, one per line (they come last, so they win). */
    private String extraProperties() {
        StringBuilder out = new StringBuilder();
        new java.util.TreeMap<>(extra).forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        return out.toString();
    }

    private static final String LOG4J = String.join("\n",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = OUT",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = WARN",
            "rootLogger.appenderRef.out.ref = OUT",
            "logger.raft.name = kafka.server.KafkaRaftServer",
            "logger.raft.level = INFO",
            "");

    /** A random cluster id; never one starting with '-', which the storage tool would read as an option. */
    static String clusterId() {
        SecureRandom random = new SecureRandom();
        byte[] bytes = new byte[16];
        String id;
        do {
            random.nextBytes(bytes);
            id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } while (id.startsWith("-"));
        return id;
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This module's jar or classes folder (for {@link BrokerMain} on the broker's class path). */
    private static String ownLocation() {
        try {
            return Path.of(LocalKafka.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the kafka-local classes", e);
        }
    }

    /**
     * More options for the broker's JVM, after its own: the system property {@code kairos.kafka.java-options},
     * else {@code KAIROS_KAFKA_JAVA_OPTS}; separated by spaces. Not for the heap ({@link Builder#heap}, which
     * the log cleaner's map is sized to).
     */
    static List<String> extraJavaOptions() {
        String options = System.getProperty("kairos.kafka.java-options");
        if (options == null || options.isBlank()) options = System.getenv("KAIROS_KAFKA_JAVA_OPTS");
        if (options == null || options.isBlank()) return List.of();
        return List.of(options.strip().split("\\s+"));
    }

    static Path defaultLibDir() {
        String prop = System.getProperty("kairos.kafka.lib");
        if (prop != null && !prop.isBlank()) return Path.of(prop);
        String env = System.getenv("KAIROS_KAFKA_LIB");
        if (env != null && !env.isBlank()) return Path.of(env);
        try {
            Path here = Path.of(LocalKafka.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // target/kairos-kafka-local.jar or target/classes -> target/broker-lib
            return here.getParent().resolve("broker-lib");
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("broker-lib");
        }
    }

    /** Kills the broker process at once ({@code kill -9}), for fault tests; {@link #start} brings it back. */
    public void kill() {
        if (process == null) return;
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Stops the broker (SIGTERM: a controlled shutdown), forcibly after 30 s. */
    @Override
    public void close() {
        close(30);
    }

    /** Stops the broker (SIGTERM: a controlled shutdown), forcibly after {@code graceSeconds}. */
    void close(int graceSeconds) {
        if (process == null) return;
        process.destroy();
        try {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /**
     * Runs a broker in the foreground until SIGTERM/Ctrl-C:
     * {@code java -jar kairos-kafka-local.jar --data DIR [--port 9092] [--controller-port 9093] [--heap 512m]}.
     * Prints {@code kafka ready: <bootstrap>} once it serves.
     */
    public static void main(String[] args) throws InterruptedException {
        Builder b = builder();
        int brokers = 1;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--data" -> { b.dataDir(Path.of(Objects.requireNonNull(value, "--data needs a folder"))); i++; }
                case "--port" -> { b.port(Integer.parseInt(Objects.requireNonNull(value, "--port needs a number"))); i++; }
                case "--controller-port" -> { b.controllerPort(Integer.parseInt(Objects.requireNonNull(value, "--controller-port needs a number"))); i++; }
                case "--heap" -> { b.heap(Objects.requireNonNull(value, "--heap needs a size")); i++; }
                case "--lib" -> { b.libDir(Path.of(Objects.requireNonNull(value, "--lib needs a folder"))); i++; }
                case "--brokers" -> { brokers = Integer.parseInt(Objects.requireNonNull(value, "--brokers needs a number")); i++; }
                default -> {
                    System.err.println("usage: LocalKafka --data DIR [--port 9092] [--controller-port 9093] [--brokers 1|3] [--heap 512m] [--lib DIR]");
                    System.exit(2);
                }
            }
        }
        watchLauncher();
        if (brokers > 1) {
            // A cluster: node i listens on port + 2i, its controller on port + 2i + 1.
            LocalKafkaCluster cluster = LocalKafkaCluster.start(b.dataDir, brokers, b.port == 0 ? 9092 : b.port, b.heap, b.libDir);
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "kafka-stop"));
            System.out.println("kafka ready: " + cluster.bootstrapServers() + " (" + brokers + " brokers, data " + b.dataDir.toAbsolutePath() + ")");
            System.out.flush();
            cluster.supervise();
        }
        LocalKafka kafka = b.build();
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "kafka-stop"));
        kafka.start();
        System.out.println("kafka ready: " + kafka.bootstrapServers() + " (data " + kafka.dataDir() + ")");
        System.out.flush();
        int exit = kafka.process.waitFor();
        System.exit(exit);
    }

    /** Started by a launcher ({@code ./kairos start} sets {@code KAIROS_PARENT_PID}): end with it, even after kill -9. */
    private static void watchLauncher() {
        String parent = System.getenv("KAIROS_PARENT_PID");
        if (parent != null && parent.matches("\\d+")) {
            ProcessHandle.of(Long.parseLong(parent)).ifPresent(p -> p.onExit().thenRun(() -> {
                System.err.println("kairos: the launcher (" + parent + ") is gone; stopping the broker");
                new Thread(() -> System.exit(0), "kairos-parent-gone").start();
            }));
        }
    }

    /** Options; defaults: free ports, 512 MiB heap, broker jars as described on the class. */
    public static final class Builder {
        private Path dataDir;
        private int port;
        private int controllerPort;
        private Path libDir;
        private String heap = "512m";
        private int nodeId = 1;
        private int clusterSize = 1;
        private String voters;
        private String clusterId;
        private final java.util.Map<String, String> extra = new java.util.HashMap<>();

        private Builder() {}

        /** Membership of a cluster (see {@link LocalKafkaCluster}): node id, size, the voters and the shared cluster id. */
        Builder member(int nodeId, int clusterSize, String voters, String clusterId) {
            this.nodeId = nodeId;
            this.clusterSize = clusterSize;
            this.voters = voters;
            this.clusterId = clusterId;
            return this;
        }

        /** Folder for the broker's data and log; required. */
        public Builder dataDir(Path dir) { this.dataDir = Objects.requireNonNull(dir, "dataDir"); return this; }
        /** Client port; 0 (default) picks a free one. */
        public Builder port(int port) { this.port = checkPort(port, "port"); return this; }
        /** Controller port; 0 (default) picks a free one. */
        public Builder controllerPort(int port) { this.controllerPort = checkPort(port, "controllerPort"); return this; }
        /** Folder with the broker's jars. */
        public Builder libDir(Path dir) { this.libDir = dir; return this; }
        /** Maximum heap of the broker JVM, e.g. {@code 512m}. */
        public Builder heap(String heap) {
            if (heap == null || !heap.matches("\\d+[kKmMgG]")) throw new IllegalArgumentException("heap must look like 512m, was " + heap);
            this.heap = heap;
            return this;
        }

        /**
         * A broker setting of {@code server.properties} beyond the defaults (which it replaces if it names one), e.g.
         * {@code log.cleaner.backoff.ms}: set from the start instead of changed on a running broker.
         */
        public Builder brokerProperty(String key, String value) {
            if (key == null || !key.matches("[a-z][a-z0-9._-]*")) throw new IllegalArgumentException("not a broker property name: " + key);
            if (value == null || value.isBlank() || value.strip().length() != value.length() || value.chars().anyMatch(c -> c < 0x20 || c == '\\')) {
                throw new IllegalArgumentException("broker property " + key + " needs a one-line value without surrounding spaces or backslashes, was " + value);
            }
            extra.put(key, value);
            return this;
        }

        private static int checkPort(int port, String name) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException(name + " must be 0..65535, was " + port);
            return port;
        }

        public LocalKafka build() {
            if (dataDir == null) throw new IllegalArgumentException("dataDir is required");
            if (port != 0 && port == controllerPort) throw new IllegalArgumentException("port and controllerPort must differ");
            return new LocalKafka(this);
        }
    }
}
