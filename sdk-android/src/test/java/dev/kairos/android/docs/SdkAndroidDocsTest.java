package dev.kairos.android.docs;

import dev.kairos.sdk.docs.Snippets;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every Java block of docs/sdk-android.md compiles against the real framework (android-all), with
 * the imports a reader needs and nothing else assumed but the givens below. RecyclerView is
 * AndroidX, not part of the framework: a stand-in with its API is given.
 */
class SdkAndroidDocsTest {
    static final String IMPORTS = String.join("\n",
            "import android.app.Application;",
            "import android.content.Context;",
            "import android.widget.ScrollView;",
            "import dev.kairos.android.KairosAndroid;",
            "import dev.kairos.android.ScrollTracker;",
            "import dev.kairos.sdk.*;",
            "import java.time.Duration;",
            "import java.util.List;",
            "import java.util.Map;");
    static final String GIVEN_MEMBERS = String.join("\n",
            "  Context context; ScrollView scrollView; RecyclerView recyclerView;",
            "  void render(Decision d) { }");
    static final String GIVEN_TYPES = String.join("\n",
            "final class BuildConfig { static final String KAIROS_WRITE_KEY = \"wk\"; }",
            "class RecyclerView {",
            "  public int computeVerticalScrollOffset() { return 0; }",
            "  public int computeVerticalScrollRange() { return 0; }",
            "  public int computeVerticalScrollExtent() { return 0; }",
            "  public void addOnScrollListener(OnScrollListener l) { }",
            "  public abstract static class OnScrollListener { public void onScrolled(RecyclerView rv, int dx, int dy) { } }",
            "}");

    @Test
    void everyJavaBlockCompiles() throws Exception {
        assertThat(Snippets.compileErrors(Path.of("..", "docs", "sdk-android.md"), IMPORTS, GIVEN_MEMBERS, GIVEN_TYPES)).isEmpty();
    }
}
