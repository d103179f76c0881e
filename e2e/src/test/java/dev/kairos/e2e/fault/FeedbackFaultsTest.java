package dev.kairos.e2e.fault;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The feedback service stopped mid-stream, twice: SIGTERM under load (its API queried at the same
 * time), then {@code kill -9}. Each time it is started again; afterwards the store holds exactly
 * the decisions rules-server answered 200 for: none lost, none twice, and no 5xx from its API.
 */
@Tag("fault")
class FeedbackFaultsTest {
    @Test
    void sigtermAndKillMinus9OfTheFeedbackServiceLoseAndDoubleNothing(@TempDir Path data) throws Exception {
        try (Platform p = new Platform(data).startRules().startFeedback()) {
            Set<String> answered = ConcurrentHashMap.newKeySet();
            AtomicInteger apiErrors = new AtomicInteger();
            Set<String> errorBodies = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService load = Executors.newFixedThreadPool(3);
            AtomicInteger user = new AtomicInteger();
            for (int t = 0; t < 2; t++) {
                load.submit(() -> {
                    while (!stop.get()) {
                        String id = p.decide("user-" + user.incrementAndGet());
                        if (id != null) answered.add(id);
                        Platform.sleep(8);
                    }
                    return null;
                });
            }
            load.submit(() -> {
                while (!stop.get()) {
                    try {
                        HttpResponse<String> r = p.get(p.feedbackPort, "/v1/kpis", Platform.ADMIN_KEY);
                        if (r.statusCode() >= 500 && r.statusCode() != 503) {
                            apiErrors.incrementAndGet();
                            errorBodies.add(r.statusCode() + " " + r.body());
                        }
                    } catch (RuntimeException stoppedOrStarting) {
                        // connection refused while it is down: not an answer
                    }
                    Platform.sleep(50);
                }
                return null;
            });

            Platform.sleep(4_000);
            int exitCode = Platform.terminate(p.feedback);
            Platform.sleep(1_500);
            p.startFeedback();
            Platform.sleep(4_000);
            Platform.kill(p.feedback);
            Platform.sleep(1_500);
            p.startFeedback();
            Platform.sleep(3_000);
            stop.set(true);
            load.shutdown();
            assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

            p.awaitFeedbackCaughtUp("kairos.decisions", Duration.ofSeconds(120));
            Platform.terminate(p.feedback);
            List<String> stored = p.storedDecisionIds();
            Set<String> storedSet = new HashSet<>(stored);
            Set<String> lost = new HashSet<>(answered);
            lost.removeAll(storedSet);
            Platform.report("feedback-service SIGTERM then kill -9 mid-stream",
                    "decisions answered 200=" + answered.size() + " stored=" + stored.size() + " lost=" + lost.size()
                            + " stored twice=" + (stored.size() - storedSet.size()) + " API 5xx=" + apiErrors.get()
                            + " exit code on SIGTERM=" + exitCode);
            assertThat(answered).hasSizeGreaterThan(200);
            assertThat(lost).as("decisions answered 200 but not stored").isEmpty();
            assertThat(stored).as("one row per decision").hasSize(storedSet.size());
            assertThat(storedSet).as("nothing else stored").isEqualTo(answered);
            assertThat(apiErrors.get()).as("5xx answers: %s", errorBodies).isZero();
            assertThat(exitCode).as("a SIGTERM is a clean exit").isIn(0, 143);
        }
    }
}
