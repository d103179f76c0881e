package dev.kairos.rules.policy;

import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompileResult;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.engine.RuleProblem;
import dev.kairos.rules.engine.RuleSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hostile corpus ({@code src/test/resources/hostile}): one escape per pack, each tried by an
 * attacker with an admin key or made by a careless marketer. Every pack must be refused by validate
 * and by compile (what upload does) at the position its first line names, before anything of it
 * runs: no marker file appears, no thread starts. A control proves the marker would appear
 * without the check.
 */
class HostilePacksTest {
    /** Where the packs would leave their markers (deleted after the class, by JUnit). */
    @org.junit.jupiter.api.io.TempDir
    static Path scratch;
    static final Path CORPUS = Path.of("src/test/resources/hostile");
    static final Pattern EXPECT = Pattern.compile("refused at (\\d+):(\\d+) \\((\\w+)\\)");
    static final RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT);

    @AfterAll
    static void close() { compiler.close(); }

    static Stream<String> corpus() throws IOException {
        try (Stream<Path> files = Files.list(CORPUS)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".drl")).sorted().toList().stream();
        }
    }

    /** The pack's text with its markers pointed at {@code marker} and {@code thread}. */
    static String load(String file, Path marker, String thread) {
        try {
            return Files.readString(CORPUS.resolve(file)).replace("@MARKER@", marker.toString()).replace("@THREAD@", thread);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RulePack pack(String file, String drl) { return new RulePack(List.of(new RuleSource(file, drl))); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void isRefusedAtTheOffendingTokenBeforeAnythingRuns(String file) throws IOException {
        Path marker = Files.createTempDirectory(scratch, "kairos-hostile").resolve("ran-" + file);
        String thread = "kairos-hostile-" + file;
        String drl = load(file, marker, thread);
        Matcher expect = EXPECT.matcher(drl.lines().findFirst().orElseThrow());
        assertThat(expect.find()).as("the first line says where the pack is refused").isTrue();

        CompileResult validated = compiler.validate(pack(file, drl));
        CompileResult compiled = compiler.compile("v-hostile", pack(file, drl));

        for (CompileResult r : List.of(validated, compiled)) {
            assertThat(r.ok()).isFalse();
            RuleProblem first = r.problems().get(0);
            assertThat(first.file()).isEqualTo(file);
            assertThat(first.line() + ":" + first.column() + " " + first.kind())
                    .as("first problem: %s", first)
                    .isEqualTo(expect.group(1) + ":" + expect.group(2) + " " + expect.group(3));
            assertThat(first.kind()).isIn("forbidden", "limit");
        }
        assertThat(marker).as("nothing of the pack ran").doesNotExist();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().contains(thread));
    }

    @Test
    void theCorpusCoversFortyEscapesAndMore() throws IOException {
        assertThat(corpus().count()).isGreaterThanOrEqualTo(40);
    }

    @Test
    void withoutTheCheckDroolsRunsAnAnnotationWhileBuilding() throws IOException {
        // The control: the same pack through a compiler that skips the check creates the marker
        // during a mere validate. This is what the check prevents.
        Path marker = Files.createTempDirectory(scratch, "kairos-hostile").resolve("ran");
        String file = "07_annotation_runs_code.drl";
        try (RuleCompiler unchecked = new RuleCompiler(CompileLimits.DEFAULT, PackPolicy.uncheckedForTesting())) {
            unchecked.validate(pack(file, load(file, marker, "unused")));
        }
        assertThat(marker).exists();
    }
}
