package dev.kairos.server.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hostile corpus of the rules module, sent over HTTP: every pack is {@code valid: false} at
 * {@code POST /v1/rules/validate} and {@code 422 rules_invalid} at upload, with the first problem
 * at the position the pack names; nothing of it ran (no marker file, no thread), no version was
 * stored, and the server still answers.
 */
class HostileUploadTest {
    static final Path CORPUS = Path.of("../rules/src/test/resources/hostile");
    static final Pattern EXPECT = Pattern.compile("refused at (\\d+):(\\d+) \\((\\w+)\\)");
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyHostilePackIsRefusedAtValidateAndUploadBeforeAnythingRuns(@org.junit.jupiter.api.io.TempDir Path scratch) throws IOException {
        List<Path> packs;
        try (Stream<Path> files = Files.list(CORPUS)) {
            packs = files.filter(p -> p.toString().endsWith(".drl")).sorted().toList();
        }
        assertThat(packs).hasSizeGreaterThanOrEqualTo(40);
        int versionsBefore = http.get("/v1/rules/versions", ADMIN_KEY).json().get("versions").size();
        Path markers = Files.createTempDirectory(scratch, "kairos-hostile-http");
        for (Path pack : packs) {
            String name = pack.getFileName().toString();
            Path marker = markers.resolve("ran-" + name);
            String thread = "kairos-hostile-" + name;
            String drl = Files.readString(pack).replace("@MARKER@", marker.toString()).replace("@THREAD@", thread);
            Matcher expect = EXPECT.matcher(drl.lines().findFirst().orElseThrow());
            assertThat(expect.find()).isTrue();
            String position = expect.group(1) + ":" + expect.group(2);

            Http.Response validated = http.post("/v1/rules/validate?name=" + name, ADMIN_KEY, "text/plain", drl);
            assertThat(validated.status()).as(name).isEqualTo(200);
            assertThat(validated.json().get("valid").asBoolean()).as(name).isFalse();
            JsonNode first = validated.json().get("problems").get(0);
            assertThat(first.get("line").asInt() + ":" + first.get("column").asInt() + " " + first.get("kind").asText())
                    .as(name).isEqualTo(position + " " + expect.group(3));

            Http.Response uploaded = http.post("/v1/rules/versions?name=" + name, ADMIN_KEY, "text/plain", drl);
            assertThat(uploaded.status()).as(name + ": " + uploaded.body()).isEqualTo(422);
            assertThat(uploaded.json().get("error").get("code").asText()).isEqualTo("rules_invalid");
            JsonNode problem = uploaded.json().get("problems").get(0);
            assertThat(problem.get("file").asText()).isEqualTo(name);
            assertThat(problem.get("line").asInt() + ":" + problem.get("column").asInt()).as(name).isEqualTo(position);

            assertThat(marker).as(name + ": nothing ran").doesNotExist();
            assertThat(Thread.getAllStackTraces().keySet()).as(name).noneMatch(t -> t.getName().contains(thread));
        }
        assertThat(http.get("/v1/rules/versions", ADMIN_KEY).json().get("versions").size()).as("no version stored").isEqualTo(versionsBefore);
        assertThat(http.get("/health", null).status()).isEqualTo(200);
    }
}
