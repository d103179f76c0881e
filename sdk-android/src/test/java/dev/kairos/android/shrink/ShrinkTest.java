package dev.kairos.android.shrink;

import com.android.tools.r8.ClassFileConsumer;
import com.android.tools.r8.ClassFileResourceProvider;
import com.android.tools.r8.CompilationMode;
import com.android.tools.r8.D8;
import com.android.tools.r8.D8Command;
import com.android.tools.r8.DexIndexedConsumer;
import com.android.tools.r8.JdkClassFileProvider;
import com.android.tools.r8.R8;
import com.android.tools.r8.R8Command;
import com.android.tools.r8.origin.Origin;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an app's release build does to the SDK: R8 with the SDK's consumer rules (the aar's
 * {@code proguard.txt} and the rules inside the dependency jars, as the Android Gradle plugin
 * applies them), and nothing else.
 *
 * <ul>
 * <li>A sample app's use of the core, shrunk (class files, JDK as library) and <b>run</b> in its own
 * JVM against a stand-in server: events, identify, decide and the impression arrive, so the rules
 * keep everything the SDK needs at run time.</li>
 * <li>A sample Android app's use of the SDK, shrunk to DEX for API 26 against the real framework
 * (the JDK standing in for Android's core library): R8 finds no missing class, and the footprint
 * before (D8 of every jar) and after (R8) is reported ({@code target/footprint.md}, the figures in
 * docs/sdk-android.md). Tagged {@code footprint}: {@code benchmarks/android/footprint.sh} runs it.</li>
 * </ul>
 */
class ShrinkTest {
    static final Path TARGET = Path.of("target");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    final MockWebServer server = new MockWebServer();

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    @Test
    void aSampleAppShrunkWithTheConsumerRulesStillTracksDecidesAndDelivers() throws Exception {
        List<JsonNode> events = new CopyOnWriteArrayList<>();
        List<JsonNode> outcomes = new CopyOnWriteArrayList<>();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                try {
                    byte[] raw = request.getBody().readByteArray();
                    if ("gzip".equals(request.getHeader("Content-Encoding"))) {
                        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                            raw = in.readAllBytes();
                        }
                    }
                    JsonNode body = JSON.readTree(raw);
                    if (request.getPath().endsWith("/v1/decide")) {
                        return new MockResponse().setBody("{\"decisionId\": \"d-1\", \"adaptations\": [{\"placement\": \"home_banner\","
                                + " \"contentId\": \"for-" + body.path("userId").asText() + "\", \"format\": \"banner\", \"rule\": \"R\"}],"
                                + " \"variants\": {\"copy\": \"b\"}, \"explanation\": {\"firedRules\": [\"R\"]}}");
                    }
                    List<JsonNode> batch = new ArrayList<>();
                    body.path("batch").forEach(batch::add);
                    (request.getPath().endsWith("/v1/outcomes") ? outcomes : events).addAll(batch);
                    return new MockResponse().setBody("{\"accepted\": " + batch.size() + ", \"duplicates\": 0, \"rejected\": []}");
                } catch (IOException e) {
                    return new MockResponse().setResponseCode(400);
                }
            }
        });
        server.start();

        Path app = jarOf(dir.resolve("app.jar"), Path.of("target/test-classes"), "dev/kairos/android/shrink/JvmSampleApp");
        List<Path> program = new ArrayList<>(runtimeJars());
        program.add(app);
        Path shrunk = dir.resolve("shrunk.jar");
        R8.run(R8Command.builder()
                .addProgramFiles(program)
                .addLibraryResourceProvider(JdkClassFileProvider.fromSystemJdk())
                .addProguardConfigurationFiles(consumerRules(program))
                .addProguardConfiguration(List.of("-keep class dev.kairos.android.shrink.JvmSampleApp { public static void main(java.lang.String[]); }"),
                        Origin.unknown())
                .setMode(CompilationMode.RELEASE)
                .setProgramConsumer(new ClassFileConsumer.ArchiveConsumer(shrunk))
                .build());
        assertThat(Files.size(shrunk)).as("shrunk to a fraction of its inputs").isLessThan(totalSize(program) / 2);

        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-cp", shrunk.toString(),
                "dev.kairos.android.shrink.JvmSampleApp", server.url("/").toString(), dir.resolve("storage").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("DECIDED SERVER for-u-shrunk variants={copy=b} fired=[R]").contains("DELIVERED true");
        assertThat(events).hasSize(22);
        assertThat(events).extracting(e -> e.get("type").asText()).contains("identify", "product_view", "add_to_cart");
        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.get("type").asText()).isEqualTo("impression");
            assertThat(o.get("userId").asText()).isEqualTo("u-shrunk");
        });
    }

    /** A measurement, not a behaviour (D8 and R8 over every jar take minutes on 2 cores): run by benchmarks/android/footprint.sh. */
    @Test
    @Tag("footprint")
    void theAndroidSdkShrinksForApi26WithNoMissingClassesAndItsFootprintIsReported() throws Exception {
        Path layer = jarOf(dir.resolve("sdk-android.jar"), Path.of("target/classes"), "");
        Path app = jarOf(dir.resolve("app.jar"), Path.of("target/test-classes"), "dev/kairos/android/shrink/AndroidSampleApp");
        List<Path> sdk = new ArrayList<>(runtimeJars());
        sdk.add(layer);
        Path android = androidFramework();

        Path before = dir.resolve("d8.zip");
        // android-all has the framework only: the JDK stands in for Android's core library (libcore).
        ClassFileResourceProvider libcore = JdkClassFileProvider.fromSystemJdk();
        D8.run(D8Command.builder().addProgramFiles(sdk).addLibraryFiles(android).addLibraryResourceProvider(libcore).setMinApiLevel(26)
                .setMode(CompilationMode.RELEASE).setProgramConsumer(new DexIndexedConsumer.ArchiveConsumer(before)).build());

        List<Path> program = new ArrayList<>(sdk);
        program.add(app);
        Path after = dir.resolve("r8.zip");
        R8.run(R8Command.builder().addProgramFiles(program).addLibraryFiles(android).addLibraryResourceProvider(libcore).setMinApiLevel(26)
                .addProguardConfigurationFiles(consumerRules(program))
                // Names kept only so that the methods can be counted per library; the count is the same renamed.
                .addProguardConfiguration(List.of("-keep class dev.kairos.android.shrink.AndroidSampleApp { public static *; }", "-dontobfuscate"),
                        Origin.unknown())
                .setMode(CompilationMode.RELEASE).setProgramConsumer(new DexIndexedConsumer.ArchiveConsumer(after)).build());

        int methodsBefore = dexMethods(before);
        int methodsAfter = dexMethods(after);
        assertThat(methodsAfter).isPositive().isLessThan(methodsBefore / 2);

        StringBuilder table = new StringBuilder("| Artifact | Size (KB) |\n|---|---:|\n");
        long total = 0;
        for (Path jar : sdk) {
            long size = Files.size(jar);
            total += size;
            table.append("| ").append(jar.getFileName().toString().replace("sdk-android.jar", "kairos-sdk-android (classes)"))
                    .append(" | ").append(size / 1024).append(" |\n");
        }
        table.append("| **total, ").append(sdk.size()).append(" jars** | **").append(total / 1024).append("** |\n\n");
        table.append("| DEX (API 26) | Method references | Size (KB) |\n|---|---:|---:|\n");
        table.append("| D8, everything (no shrinking) | ").append(methodsBefore).append(" | ").append(Files.size(before) / 1024).append(" |\n");
        table.append("| R8 with the consumer rules, sample app | ").append(methodsAfter).append(" | ").append(Files.size(after) / 1024).append(" |\n");
        java.util.Map<String, Integer> byLibrary = methodsByLibrary(after);
        int kept = byLibrary.values().stream().mapToInt(Integer::intValue).sum();
        table.append("\n| After R8, method references by owner | Methods | Share |\n|---|---:|---:|\n");
        for (var e : byLibrary.entrySet()) {
            table.append("| ").append(e.getKey()).append(" | ").append(e.getValue()).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f %%", 100.0 * e.getValue() / kept)).append(" |\n");
        }
                Files.writeString(TARGET.resolve("footprint.md"), table);
        System.out.println(table);
        System.out.println(String.format(Locale.ROOT, "RESULT sdk_jars=%d sdk_kb=%d dex_methods_before=%d dex_methods_after=%d ratio=%.2f",
                sdk.size(), total / 1024, methodsBefore, methodsAfter, methodsAfter / (double) methodsBefore));
    }

    /** The jars an app gets with the SDK (runtime scope, as written by the dependency plugin). */
    static List<Path> runtimeJars() throws IOException {
        String cp = Files.readString(TARGET.resolve("sdk-runtime-classpath.txt")).trim();
        List<Path> jars = new ArrayList<>();
        for (String entry : cp.split(java.io.File.pathSeparator)) if (!entry.isBlank()) jars.add(Path.of(entry));
        assertThat(jars).anySatisfy(j -> assertThat(j.getFileName().toString()).startsWith("kairos-sdk-java"));
        return jars;
    }

    /** The aar's consumer rules and the rules the dependency jars carry in META-INF/proguard, as AGP collects them. */
    static List<Path> consumerRules(List<Path> jars) throws IOException {
        List<Path> rules = new ArrayList<>();
        rules.add(Path.of("src/main/android/proguard.txt"));
        Path extracted = Files.createTempDirectory(TARGET, "rules");
        for (Path jar : jars) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                    ZipEntry entry = e.nextElement();
                    if (entry.getName().startsWith("META-INF/proguard/") && !entry.isDirectory()) {
                        Path out = extracted.resolve(jar.getFileName() + "-" + Path.of(entry.getName()).getFileName());
                        try (InputStream in = zip.getInputStream(entry)) {
                            Files.copy(in, out);
                        }
                        rules.add(out);
                    }
                }
            }
        }
        assertThat(rules).as("the core's rules travel in its jar").anySatisfy(r -> assertThat(r.toString()).endsWith("kairos-sdk-java.pro"));
        return rules;
    }

    /** The framework jar the SDK compiles against (android-all, API 35). */
    static Path androidFramework() {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (p.getFileName().toString().startsWith("android-all-") && !p.getFileName().toString().contains("instrumented")) return p;
        }
        throw new AssertionError("android-all is not on the test class path");
    }

    /** A jar of the class files under {@code root} whose path starts with {@code prefix}. */
    static Path jarOf(Path jar, Path root, String prefix) throws IOException {
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = root.relativize(f).toString().replace('\\', '/');
                if (!Files.isRegularFile(f) || !name.endsWith(".class") || !name.startsWith(prefix)) continue;
                out.putNextEntry(new ZipEntry(name));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    /** The method references of the DEX files in {@code archive}, grouped by the library of the class that owns them. */
    static java.util.Map<String, Integer> methodsByLibrary(Path archive) throws IOException {
        java.util.Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (String group : List.of("Kairos SDK", "Jackson", "OkHttp + Okio", "Kotlin stdlib", "Android + Java platform", "other")) out.put(group, 0);
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                if (!entry.getName().endsWith(".dex")) continue;
                ByteBuffer dex;
                try (InputStream in = zip.getInputStream(entry)) {
                    dex = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
                }
                int stringIds = dex.getInt(0x3C), typeIds = dex.getInt(0x44), methods = dex.getInt(0x58), methodIds = dex.getInt(0x5C);
                for (int m = 0; m < methods; m++) {
                    int classIdx = dex.getShort(methodIds + 8 * m) & 0xFFFF;
                    int stringIdx = dex.getInt(typeIds + 4 * classIdx);
                    int at = dex.getInt(stringIds + 4 * stringIdx);
                    while ((dex.get(at) & 0x80) != 0) at++; // skip the ULEB128 length
                    at++;
                    StringBuilder type = new StringBuilder();
                    for (byte b; (b = dex.get(at)) != 0; at++) type.append((char) b);
                    String t = type.toString();
                    String group = t.startsWith("Ldev/kairos/") ? "Kairos SDK" : t.startsWith("Lcom/fasterxml/jackson/") ? "Jackson"
                            : t.startsWith("Lokhttp3/") || t.startsWith("Lokio/") ? "OkHttp + Okio" : t.startsWith("Lkotlin") ? "Kotlin stdlib"
                            : t.startsWith("Ljava") || t.startsWith("Landroid/") || t.startsWith("Ldalvik/") || t.startsWith("Lsun/") ? "Android + Java platform"
                            : "other";
                    out.merge(group, 1, Integer::sum);
                }
            }
        }
        return out;
    }

    /** Method references over every classes*.dex in the archive (method_ids_size of each DEX header). */
    static int dexMethods(Path archive) throws IOException {
        int total = 0;
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                if (!entry.getName().endsWith(".dex")) continue;
                byte[] header = new byte[0x70];
                try (InputStream in = zip.getInputStream(entry)) {
                    assertThat(in.readNBytes(header, 0, header.length)).isEqualTo(header.length);
                }
                total += ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(0x58);
            }
        }
        return total;
    }

    static long totalSize(List<Path> files) throws IOException {
        long n = 0;
        for (Path f : files) n += Files.size(f);
        return n;
    }

}
