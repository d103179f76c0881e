package dev.kairos.service.health;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;

class DeadlockHealthTest {
    @Test
    void reportsTwoThreadsWaitingForEachOthersLocksAsDown() throws Exception {
        DeadlockHealth health = new DeadlockHealth(Duration.ofHours(1)); // checked by hand below
        try {
            assertThat(health.check()).isEmpty();
            assertThat(status(health)).isEqualTo(HealthStatus.UP);

            ReentrantLock a = new ReentrantLock();
            ReentrantLock b = new ReentrantLock();
            CountDownLatch bothHoldOne = new CountDownLatch(2);
            Thread first = locker("deadlock-test-first", a, b, bothHoldOne);
            Thread second = locker("deadlock-test-second", b, a, bothHoldOne);
            try {
                assertThat(bothHoldOne.await(10, TimeUnit.SECONDS)).isTrue();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (health.check().isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
                assertThat(health.check()).containsExactlyInAnyOrder("deadlock-test-first", "deadlock-test-second");
                assertThat(status(health)).isEqualTo(HealthStatus.DOWN);
            } finally {
                // lockInterruptibly: the deadlock ends here, so the threads do not outlive the test.
                first.interrupt();
                second.interrupt();
                first.join(10_000);
                second.join(10_000);
            }
            assertThat(health.check()).isEmpty();
            assertThat(status(health)).isEqualTo(HealthStatus.UP);
        } finally {
            health.close();
        }
    }

    private static HealthStatus status(DeadlockHealth health) {
        java.util.concurrent.atomic.AtomicReference<HealthResult> result = new java.util.concurrent.atomic.AtomicReference<>();
        health.getResult().subscribe(new org.reactivestreams.Subscriber<>() {
            @Override public void onSubscribe(org.reactivestreams.Subscription s) { s.request(1); }
            @Override public void onNext(HealthResult r) { result.set(r); }
            @Override public void onError(Throwable t) { throw new AssertionError(t); }
            @Override public void onComplete() { }
        });
        return result.get().getStatus();
    }

    private static Thread locker(String name, ReentrantLock own, ReentrantLock other, CountDownLatch bothHoldOne) {
        Thread t = new Thread(() -> {
            try {
                own.lockInterruptibly();
                try {
                    bothHoldOne.countDown();
                    bothHoldOne.await();
                    other.lockInterruptibly();
                    other.unlock();
                } finally {
                    own.unlock();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
