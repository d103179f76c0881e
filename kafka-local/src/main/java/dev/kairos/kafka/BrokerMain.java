package dev.kairos.kafka;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * The entry point of the broker JVM that {@link LocalKafka} starts: ties the broker's life to the
 * JVM that started it, then runs Kafka's own main. When that process is gone (stopped, or killed
 * with {@code kill -9}), the broker shuts down by itself (a controlled shutdown through Kafka's
 * shutdown hook), so no broker is left holding its ports and data folder.
 * <pre>java -cp broker-lib/*:kairos-kafka-local.jar dev.kairos.kafka.BrokerMain PARENT_PID kafka.Kafka server.properties</pre>
 */
public final class BrokerMain {
    private BrokerMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: BrokerMain PARENT_PID MAIN_CLASS [ARGS...]");
            System.exit(2);
        }
        long parent = Long.parseLong(args[0]);
        ProcessHandle.of(parent).ifPresentOrElse(p -> p.onExit().thenRun(() -> {
            System.err.println("kairos: the process that started this broker (" + parent + ") is gone; stopping the broker");
            new Thread(() -> System.exit(0), "kairos-parent-gone").start();
        }), () -> {
            System.err.println("kairos: the process that started this broker (" + parent + ") is not running; stopping");
            System.exit(0);
        });
        Method main = Class.forName(args[1]).getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    }
}
