package dev.kairos.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The learning loop, simulated on the real platform ({@code ./kairos start} with the packaged jars,
 * free ports, a fresh data folder per arm). A population with a known hidden preference visits
 * product pages for several "weeks": a user clicks the high-intent premium offer with probability
 * {@code σ(-4 + 7·depth)} and other content with {@code 0.05 + 0.15·depth}; recency and conversion
 * probability do not matter. The default pack shows the premium offer when
 * {@code intentScore > 0.8}. Three arms:
 * <ul>
 *   <li>static: the default weights (0.4, 0.3, 0.3) all along;</li>
 *   <li>recalibrated: {@code POST /v1/recalibrate} after each week, the next week decided with what it published;</li>
 *   <li>oracle: the true weights (0, 1, 0) published on the weights topic from the start.</li>
 * </ul>
 * Prints the CTR per week and arm, and exits with 1 unless recalibration beat the static weights
 * in the last week.
 *
 * <pre>benchmarks/load/simulate.sh [--weeks 4] [--users 1500]</pre>
 */
public final class LearningLoopSimulation {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path ROOT = Path.of(System.getProperty("kairos.root", ".")).toAbsolutePath().normalize();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new java.util.HashMap<>(Map.of("--weeks", "4", "--users", "1500"));
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
        int weeks = Integer.parseInt(opt.get("--weeks"));
        int users = Integer.parseInt(opt.get("--users"));
        LearningLoopSimulation sim = new LearningLoopSimulation();
        double[] statics = sim.arm("static", weeks, users);
        double[] recalibrated = sim.arm("recalibrated", weeks, users);
        double[] oracle = sim.arm("oracle", weeks, users);
        System.out.println();
        System.out.println("| week | static weights CTR | recalibrated weights CTR | oracle weights CTR |");
        System.out.println("|---|---|---|---|");
        for (int w = 0; w < weeks; w++) {
            System.out.printf("| %d | %.1f %% | %.1f %% | %.1f %% |%n", w + 1, statics[w] * 100, recalibrated[w] * 100, oracle[w] * 100);
        }
        boolean helped = recalibrated[weeks - 1] > statics[weeks - 1];
        System.out.println(helped ? "recalibration helped" : "recalibration did NOT help");
        System.exit(helped ? 0 : 1);
    }

    /** A platform started by {@link #start}: its process, data folder, addresses and keys. */
    record Platform(Process process, Path data, String rules, String feedback, String writeKey, String adminKey, int kafkaPort,
                    long maxSamplesHint) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            process.destroy(); // SIGTERM: the launcher stops the services and its broker
            process.waitFor(60, TimeUnit.SECONDS);
            try (var files = Files.walk(data)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Starts {@code ./kairos start} on free ports and a fresh data folder, with {@code env} on top; waits until it runs. */
    static Platform start(String name, Map<String, String> env) throws Exception {
        Path data = Files.createTempDirectory("kairos-sim-" + name);
        int rulesPort = freePort(), feedbackPort = freePort(), kafkaPort = freePort(), controllerPort = freePort();
        Path log = data.resolve("start.log");
        ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("kairos").toString(), "start")
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("KAIROS_WRITE_KEYS");
        pb.environment().remove("KAIROS_ADMIN_KEY");
        pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
        pb.environment().put("KAIROS_DATA_DIR", data.toString());
        pb.environment().put("KAIROS_RULES_PORT", String.valueOf(rulesPort));
        pb.environment().put("KAIROS_FEEDBACK_PORT", String.valueOf(feedbackPort));
        pb.environment().put("KAIROS_KAFKA_PORT", String.valueOf(kafkaPort));
        pb.environment().put("KAIROS_KAFKA_CONTROLLER_PORT", String.valueOf(controllerPort));
        pb.environment().put("KAIROS_SKIP_BUILD", "1");
        pb.environment().putAll(env);
        Process kairos = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(log).contains("Kairos is running")) {
            if (!kairos.isAlive() || System.nanoTime() > deadline) {
                kairos.destroy();
                throw new IllegalStateException("platform did not start:\n" + Files.readString(log));
            }
            Thread.sleep(500);
        }
        Properties keys = new Properties();
        keys.load(Files.newBufferedReader(data.resolve("keys.env"), StandardCharsets.UTF_8));
        return new Platform(kairos, data, "http://127.0.0.1:" + rulesPort, "http://127.0.0.1:" + feedbackPort,
                keys.getProperty("KAIROS_WRITE_KEYS"), keys.getProperty("KAIROS_ADMIN_KEY"), kafkaPort,
                Long.parseLong(env.getOrDefault("KAIROS_BANDIT_MAX_SAMPLES", "200000")));
    }

    /** Runs one arm on a fresh platform; returns the CTR of each week. */
    double[] arm(String arm, int weeks, int users) throws Exception {
        try (Platform platform = start(arm, Map.of("KAIROS_RECALIBRATION_ENABLED", "false"))) {
            String writeKey = platform.writeKey(), adminKey = platform.adminKey();
            String rules = platform.rules(), feedback = platform.feedback();
            int kafkaPort = platform.kafkaPort();
            if (arm.equals("oracle")) {
                try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        "127.0.0.1:" + kafkaPort), new StringSerializer(), new StringSerializer())) {
                    p.send(new ProducerRecord<>("kairos.weights", "current",
                            "{\"version\":\"oracle\",\"recency\":0,\"depth\":1,\"conversion\":0,\"named\":{\"highIntentThreshold\":0.8}}")).get();
                }
                awaitWeights(rules, writeKey, "oracle");
            }
            Random random = new Random(42);
            double[] ctr = new double[weeks];
            long shownSoFar = 0;
            for (int w = 0; w < weeks; w++) {
                List<String> outcomes = new ArrayList<>();
                int clicks = 0;
                String weightsVersion = null;
                for (int u = 0; u < users; u++) {
                    double r = random.nextDouble(), d = random.nextDouble(), c = random.nextDouble();
                    String user = "w" + w + "-u" + u;
                    JsonNode decision = post(rules + "/v1/decide", writeKey, """
                            {"userId": "%s", "placements": ["product_page"], "context": {"timezone": "Europe/Berlin", "page": "/product/42"},
                             "signals": {"recency": %s, "depth": %s, "conversionProbability": %s}}""".formatted(user, r, d, c));
                    weightsVersion = decision.get("weightsVersion").asText();
                    String id = decision.get("decisionId").asText();
                    boolean premium = "premium-24h-discount".equals(decision.get("adaptations").get(0).get("contentId").asText());
                    double p = premium ? 1 / (1 + Math.exp(-(-4 + 7 * d))) : 0.05 + 0.15 * d;
                    outcomes.add(outcome(user, id, "impression"));
                    if (random.nextDouble() < p) {
                        outcomes.add(outcome(user, id, "click"));
                        clicks++;
                    }
                }
                ctr[w] = (double) clicks / users;
                for (int from = 0; from < outcomes.size(); from += 500) {
                    post(rules + "/v1/outcomes", writeKey, "{\"batch\": [" + String.join(",", outcomes.subList(from, Math.min(outcomes.size(), from + 500))) + "]}");
                }
                shownSoFar += users;
                System.out.printf("%s week %d: weights %s, CTR %.1f %%%n", arm, w + 1, weightsVersion, ctr[w] * 100);
                if (arm.equals("recalibrated") && w + 1 < weeks) {
                    awaitStored(feedback, adminKey, shownSoFar);
                    JsonNode result = post(feedback + "/v1/recalibrate", adminKey, "");
                    System.out.printf("  recalibration: %s (%s)%n", result.get("status").asText(), result.get("reason").asText());
                    if (result.get("status").asText().equals("published")) {
                        awaitWeights(rules, writeKey, result.get("candidate").get("version").asText());
                    }
                }
            }
            return ctr;
        }
    }

    void awaitStored(String feedback, String adminKey, long shown) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (joined(feedback, adminKey) < shown) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("outcomes not stored within 2 minutes");
            Thread.sleep(500);
        }
    }

    long joined(String feedback, String adminKey) throws Exception {
        JsonNode accuracy = get(feedback + "/v1/kpis?groupBy=placement", adminKey).get("total").get("intentAccuracy");
        return accuracy.get("positives").asLong() + accuracy.get("negatives").asLong();
    }

    void awaitWeights(String rules, String writeKey, String version) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!post(rules + "/v1/decide", writeKey, "{\"userId\": \"probe\", \"placements\": [\"product_page\"], \"context\": {\"timezone\": \"UTC\"}}")
                .get("weightsVersion").asText().equals(version)) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("weights " + version + " not in use within a minute");
            Thread.sleep(250);
        }
    }

    static String outcome(String user, String decisionId, String type) {
        return "{\"decisionId\": \"%s\", \"placement\": \"product_page\", \"type\": \"%s\", \"userId\": \"%s\"}".formatted(decisionId, type, user);
    }

    JsonNode post(String url, String key, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        return JSON.readTree(r.body());
    }

    JsonNode postText(String url, String key, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + key).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        return JSON.readTree(r.body());
    }

    JsonNode get(String url, String key) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        return JSON.readTree(r.body());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
