package dev.kairos.sdk.docs;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Every Java block of docs/sdk-java.md compiles, with the imports a reader needs and nothing else assumed but the givens below. */
class SdkJavaDocsTest {
    static final String IMPORTS = String.join("\n",
            "import dev.kairos.sdk.*;",
            "import java.nio.file.Path;",
            "import java.time.Duration;",
            "import java.util.List;",
            "import java.util.Map;",
            "import static org.junit.jupiter.api.Assertions.assertEquals;");
    /** What a snippet may assume exists in the reader's code. */
    static final String GIVEN_MEMBERS = String.join("\n",
            "  String writeKey = \"wk\"; String key = \"wk\"; String url = \"http://localhost:8080\";",
            "  Kairos kairos;                                // the app's client, built as in Quick start",
            "  Log log; Metrics metrics;                     // the app's logger and metrics, whatever they are",
            "  void show(String contentId, String tone, String format, String cta) { }");
    static final String GIVEN_TYPES = String.join("\n",
            "class HomeScreen { HomeScreen(KairosClient kairos) { } void open() { } }",
            "interface Log { void warn(String format, Object... args); }",
            "interface Metrics { Counter counter(String name); }",
            "interface Counter { void increment(double amount); }");

    @Test
    void everyJavaBlockCompiles() throws Exception {
        Path page = Path.of("..", "docs", "sdk-java.md");
        assertThat(Snippets.javaBlocks(page)).hasSizeGreaterThanOrEqualTo(6);
        assertThat(Snippets.compileErrors(page, IMPORTS, GIVEN_MEMBERS, GIVEN_TYPES)).isEmpty();
    }

    @Test
    void aBlockThatDoesNotCompileIsReportedWithItsLine(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path page = dir.resolve("page.md");
        java.nio.file.Files.writeString(page, "Text\n\n```java\nkairos.track(\"page_view\", Map.of());\n```\n\n```java\n"
                + "Decision d = kairos.decide(List.of(\"home_banner\"));   // the context argument is missing\n```\n");
        assertThat(Snippets.compileErrors(page, IMPORTS, GIVEN_MEMBERS, GIVEN_TYPES)).singleElement().asString()
                .contains("block 2").contains("kairos.decide(List.of(\"home_banner\"))");
    }
}
