package dev.kairos.rules.engine.internal;

import dev.kairos.rules.engine.RuleProblem;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps uploaded DRL to the fact model: a rule upload is a code upload, so imports, globals,
 * declared field types and any fully qualified name must be in {@code dev.kairos.rules},
 * {@code java.lang} or {@code java.util}, and the parts of {@code java.lang} that reach outside a
 * rule (processes, threads, class loading, reflection, exiting the JVM) may not be named at all.
 * This is a guard rail for admins, not a sandbox against a hostile admin.
 */
public final class DrlPolicy {
    private static final Set<String> ALLOWED_PACKAGES = Set.of("dev.kairos.rules", "java.lang", "java.util");
    private static final Set<String> DENIED_NAMES = Set.of(
            "System", "Runtime", "Thread", "ThreadGroup", "ThreadLocal", "InheritableThreadLocal", "Process",
            "ProcessBuilder", "ProcessHandle", "ClassLoader", "Class", "Module", "ModuleLayer", "SecurityManager",
            "StackWalker", "Compiler", "getClass", "forName", "newInstance", "setAccessible", "loadClass",
            "getDeclaredMethod", "getDeclaredMethods", "getDeclaredField", "getDeclaredFields",
            "getDeclaredConstructor", "getMethod", "getField", "invoke", "exec", "exit", "halt", "Firing",
            "getClassLoader", "getModule", "Timer", "TimerTask", "ServiceLoader", "Unsafe");
    private static final Pattern QUALIFIED = Pattern.compile("\\b((?:[a-z_][A-Za-z0-9_]*\\.)+)([A-Z][A-Za-z0-9_]*|\\*)");
    private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern IMPORT_OR_PACKAGE = Pattern.compile("^\\s*(package|import)\\b.*$", Pattern.MULTILINE);

    private DrlPolicy() {}

    /** Problems with {@code drl}; empty when it stays within the fact model. */
    public static List<RuleProblem> check(String file, String drl) {
        List<RuleProblem> problems = new ArrayList<>();
        String code = blankCommentsAndStrings(drl);
        Matcher im = IMPORT_OR_PACKAGE.matcher(code);
        StringBuilder withoutHeader = new StringBuilder(code);
        while (im.find()) {
            String line = im.group().strip();
            if (line.startsWith("import")) checkImport(file, drl, im.start(), line, problems);
            for (int i = im.start(); i < im.end(); i++) withoutHeader.setCharAt(i, ' ');
        }
        String body = withoutHeader.toString();
        Matcher q = QUALIFIED.matcher(body);
        while (q.find()) {
            String pkg = q.group(1).substring(0, q.group(1).length() - 1);
            if (!looksLikePackage(pkg)) continue;
            if (!ALLOWED_PACKAGES.contains(pkg)) {
                problems.add(problem(file, drl, q.start(), "'" + q.group() + "' is outside the fact model; only dev.kairos.rules, java.lang and java.util may be used"));
            }
        }
        Matcher id = IDENT.matcher(body);
        while (id.find()) {
            boolean binding = id.start() > 0 && body.charAt(id.start() - 1) == '$';
            if (!binding && DENIED_NAMES.contains(id.group())) {
                problems.add(problem(file, drl, id.start(), "'" + id.group() + "' may not be used in rules (it reaches outside the rule engine)"));
            }
        }
        return problems;
    }

    private static boolean looksLikePackage(String pkg) {
        // a.b.Foo is a qualified name only when it starts with a known top-level domain or java;
        // $p.name.Foo-style chains over facts are not packages.
        String first = pkg.contains(".") ? pkg.substring(0, pkg.indexOf('.')) : pkg;
        return Set.of("java", "javax", "jdk", "sun", "com", "org", "net", "io", "dev", "kotlin", "scala", "groovy").contains(first);
    }

    private static void checkImport(String file, String drl, int offset, String line, List<RuleProblem> problems) {
        String target = line.replaceFirst("^import\\s+", "").replaceFirst("^(function|static|accumulate)\\s+", "");
        target = target.replaceAll("[;\\s].*$", "");
        boolean function = line.matches("^import\\s+(function|static)\\s+.*");
        String pkg;
        String simple;
        if (function) {
            int cls = target.lastIndexOf('.');
            String owner = cls < 0 ? target : target.substring(0, cls);
            if (!owner.equals("dev.kairos.rules.Actions") && !owner.equals("java.lang.Math")) {
                problems.add(problem(file, drl, offset, "import of '" + target + "' is not allowed; functions may come from dev.kairos.rules.Actions or java.lang.Math"));
            }
            return;
        }
        int dot = target.lastIndexOf('.');
        pkg = dot < 0 ? "" : target.substring(0, dot);
        simple = dot < 0 ? target : target.substring(dot + 1);
        if (!ALLOWED_PACKAGES.contains(pkg)) {
            problems.add(problem(file, drl, offset, "import of '" + target + "' is outside the fact model; only dev.kairos.rules, java.lang and java.util may be imported"));
        } else if (DENIED_NAMES.contains(simple)) {
            problems.add(problem(file, drl, offset, "import of '" + target + "' is not allowed (it reaches outside the rule engine)"));
        }
    }

    private static RuleProblem problem(String file, String drl, int offset, String message) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < offset && i < drl.length(); i++) {
            if (drl.charAt(i) == '\n') { line++; col = 1; } else { col++; }
        }
        return new RuleProblem(file, line, col, "forbidden", message);
    }

    /** Same length and line structure as {@code drl}, with comments and string literals blanked. */
    static String blankCommentsAndStrings(String drl) {
        StringBuilder out = new StringBuilder(drl.length());
        int n = drl.length();
        int i = 0;
        while (i < n) {
            char c = drl.charAt(i);
            char next = i + 1 < n ? drl.charAt(i + 1) : 0;
            if (c == '/' && next == '/' || c == '#' && (i == 0 || drl.charAt(i - 1) == '\n')) {
                while (i < n && drl.charAt(i) != '\n') { out.append(' '); i++; }
            } else if (c == '/' && next == '*') {
                while (i < n && !(drl.charAt(i) == '*' && i + 1 < n && drl.charAt(i + 1) == '/')) {
                    out.append(drl.charAt(i) == '\n' ? '\n' : ' ');
                    i++;
                }
                if (i < n) { out.append("  "); i += 2; }
            } else if (c == '"' || c == '\'') {
                out.append(c);
                i++;
                while (i < n && drl.charAt(i) != c && drl.charAt(i) != '\n') {
                    if (drl.charAt(i) == '\\' && i + 1 < n) { out.append(' '); i++; }
                    out.append(' ');
                    i++;
                }
                if (i < n && drl.charAt(i) == c) { out.append(c); i++; }
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
