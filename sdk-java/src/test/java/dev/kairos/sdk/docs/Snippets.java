package dev.kairos.sdk.docs;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compiles the Java code blocks of a docs page, as a reader would paste them: a block that declares
 * a class is a compilation unit of its own; any other block becomes the body of a method. Both get
 * the page's imports and the page's <em>givens</em> (the few names a snippet may assume, such as
 * {@code context} or {@code writeKey}), declared once per page by its test.
 */
public final class Snippets {
    private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_DECL = Pattern.compile("(?m)^(public |final |abstract )*(class|interface|record) \\w+");

    private Snippets() { }

    /** The Java code blocks of {@code page}, in order. */
    public static List<String> javaBlocks(Path page) throws IOException {
        List<String> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(Files.readString(page));
        while (m.find()) out.add(m.group(1));
        return out;
    }

    /**
     * Compiles every Java block of {@code page} with {@code imports} and {@code givens} (members of
     * the class a statement block runs in, and top-level types for a class block) against the
     * test class path; returns the compiler's errors, each with the block it came from.
     */
    public static List<String> compileErrors(Path page, String imports, String givenMembers, String givenTypes) throws IOException {
        List<String> blocks = javaBlocks(page);
        if (blocks.isEmpty()) throw new AssertionError(page + " has no ```java blocks");
        List<JavaFileObject> units = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            String block = blocks.get(i);
            String name = "Snippet" + (i + 1);
            String source;
            if (CLASS_DECL.matcher(block).find()) {
                source = "package snippets." + name.toLowerCase() + ";\n" + imports + "\n" + block.replaceAll("(?m)^public (final )?class", "$1class")
                        + "\n" + givenTypes + "\nclass " + name + "Givens {\n" + givenMembers + "\n}\n";
            } else {
                source = "package snippets." + name.toLowerCase() + ";\n" + imports + "\nclass " + name + " {\n" + givenMembers
                        + "\n  void run() throws Exception {\n" + block + "\n  }\n}\n" + givenTypes + "\n";
            }
            units.add(new Source(name, source));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path out = Files.createTempDirectory("snippets");
        List<String> options = List.of("-classpath", classpath, "-d", out.toString(), "-proc:none", "-Xlint:none", "--release", "11");
        StringWriter log = new StringWriter();
        try {
            javac.getTask(log, null, diagnostics, options, null, units).call();
        } finally {
            try (java.util.stream.Stream<Path> files = Files.walk(out)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) continue;
            Source s = (Source) d.getSource();
            String line = s == null ? "" : s.code.split("\n", -1)[(int) Math.max(0, d.getLineNumber() - 1)].trim();
            errors.add(page.getFileName() + " block " + (s == null ? "?" : s.name.substring(7)) + ": " + d.getMessage(null) + "\n    in: " + line);
        }
        return errors;
    }

    private static final class Source extends SimpleJavaFileObject {
        final String name;
        final String code;

        Source(String name, String code) {
            super(URI.create("string:///snippets/" + name.toLowerCase() + "/" + name + ".java"), Kind.SOURCE);
            this.name = name;
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }
}
