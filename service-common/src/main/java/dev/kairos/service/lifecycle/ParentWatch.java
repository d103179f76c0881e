package dev.kairos.service.lifecycle;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends this service when the process that started it is gone, so a launcher killed with
 * {@code kill -9} leaves no orphan holding its ports: when {@code KAIROS_PARENT_PID}
 * ({@code kairos.parent-pid}) names a process, its exit triggers a normal shutdown of this JVM
 * (graceful: requests in flight finish, logs are flushed). {@code ./kairos start} sets it.
 */
@Context
@Requires(property = "kairos.parent-pid", pattern = "\\d+")
public class ParentWatch {
    private static final Logger LOG = LoggerFactory.getLogger(ParentWatch.class);

    public ParentWatch(@Value("${kairos.parent-pid}") long parentPid) {
        watch(parentPid, "this service");
    }

    /** Exits this JVM (normally, running shutdown hooks) once {@code pid} has exited; false when it is not running now. */
    public static boolean watch(long pid, String what) {
        var parent = ProcessHandle.of(pid);
        if (parent.isEmpty() || !parent.get().isAlive()) {
            LOG.warn("parent process {} is not running; {} is not tied to it", pid, what);
            return false;
        }
        parent.get().onExit().thenRun(() -> {
            LOG.warn("the process that started {} ({}) is gone; shutting down", what, pid);
            new Thread(() -> System.exit(0), "kairos-parent-gone").start();
        });
        return true;
    }
}
