package dev.kairos.rules.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A set of DRL files that is compiled, tested, uploaded and activated together.
 *
 * <pre>RulePack pack = RulePack.defaults();                 // the packs shipped in this jar
 *RulePack mine = RulePack.fromDirectory(Path.of("my-rules")); // every *.drl in a folder</pre>
 */
public record RulePack(List<RuleSource> sources) {
    /** Classpath folder of the default pack; {@code index.txt} in it lists the files in order. */
    public static final String DEFAULT_PACK_RESOURCE = "dev/kairos/rules/packs/default/";

    public RulePack {
        sources = List.copyOf(sources);
    }

    /** The default pack shipped with Kairos. */
    public static RulePack defaults() {
        ClassLoader cl = RulePack.class.getClassLoader();
        String index = read(cl, DEFAULT_PACK_RESOURCE + "index.txt");
        List<RuleSource> sources = new ArrayList<>();
        for (String line : index.split("\n")) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) continue;
            sources.add(new RuleSource(name, read(cl, DEFAULT_PACK_RESOURCE + name)));
        }
        return new RulePack(sources);
    }

    /**
     * Every {@code *.drl} file directly in {@code dir}, sorted by name, and the pack's
     * {@link #THRESHOLDS_FILE} when there is one.
     */
    public static RulePack fromDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + " is not a directory");
        List<RuleSource> sources = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".drl")).sorted().toList()) {
                sources.add(new RuleSource(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8)));
            }
        }
        for (String settings : SETTINGS_FILES) {
            Path file = dir.resolve(settings);
            if (!sources.isEmpty() && Files.isRegularFile(file)) sources.add(new RuleSource(settings, Files.readString(file, StandardCharsets.UTF_8)));
        }
        return new RulePack(sources);
    }

    /** The pack's delivery caps per placement and overall ({@code placements: {home_banner: 5/24h}}, {@code global: 20/24h}). */
    public static final String CAPS_FILE = "caps.yaml";

    /** The pack's files that are settings, not DRL. */
    public static final java.util.Set<String> SETTINGS_FILES = java.util.Set.of("thresholds.yaml", "caps.yaml", "triggers.yaml");

    /** Which receiver, named by the operator, gets the pack's triggers per channel ({@code receivers: {email: brand_a_email}}). */
    public static final String TRIGGERS_FILE = "triggers.yaml";

    /** The pack's triggers file, if it has one. */
    public java.util.Optional<RuleSource> triggersSource() {
        return sources.stream().filter(s -> s.name().equals(TRIGGERS_FILE)).findFirst();
    }

    /** The pack's caps file, if it has one. */
    public java.util.Optional<RuleSource> capsSource() {
        return sources.stream().filter(s -> s.name().equals(CAPS_FILE)).findFirst();
    }

    /** The file of a pack that declares its named thresholds ({@code name: number} per line), see {@link dev.kairos.rules.Thresholds}. */
    public static final String THRESHOLDS_FILE = "thresholds.yaml";

    /** The DRL files (every source but the {@link #SETTINGS_FILES}). */
    public List<RuleSource> drlSources() {
        return sources.stream().filter(s -> !SETTINGS_FILES.contains(s.name())).toList();
    }

    /** The pack's thresholds file, if it has one. */
    public java.util.Optional<RuleSource> thresholdsSource() {
        return sources.stream().filter(s -> s.name().equals(THRESHOLDS_FILE)).findFirst();
    }

    /** Total DRL size in UTF-8 bytes. */
    public long sizeBytes() {
        long n = 0;
        for (RuleSource s : sources) n += s.drl().getBytes(StandardCharsets.UTF_8).length;
        return n;
    }

    private static String read(ClassLoader cl, String resource) {
        try (InputStream in = cl.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
