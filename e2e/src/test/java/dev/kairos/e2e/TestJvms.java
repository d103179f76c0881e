package dev.kairos.e2e;

import java.util.Arrays;
import java.util.List;

/**
 * The JIT flags of every JVM the e2e tests start — services, launchers' services and brokers: the
 * client compiler only, set once in e2e/pom.xml ({@code kairos.e2e.jit-options}; the brokers get it as
 * {@code kairos.kafka.java-options}). A test's service answers a few thousand requests; without C2 a
 * start no longer spends a core on compiling for peak speed, which on the 2-core CI machine took a
 * rules-server from 6.9–7.5 s to healthy down to 5.5 s (docs/operations.md, "What is kept"). Flags
 * of the JIT only: what a service does is the same. Empty when the tests run without the pom's
 * settings (from an IDE): the JVMs then only start slower.
 */
public final class TestJvms {
    /** The flags, each its own argument. */
    public static final List<String> JIT_FLAGS = split(System.getProperty("kairos.e2e.jit-options", ""));

    private TestJvms() {}

    /** {@link #JIT_FLAGS} as one string, for a variable such as {@code KAIROS_JAVA_OPTS}. */
    public static String jitOptions() {
        return String.join(" ", JIT_FLAGS);
    }

    private static List<String> split(String options) {
        return options.isBlank() ? List.of() : Arrays.asList(options.strip().split("\\s+"));
    }
}
