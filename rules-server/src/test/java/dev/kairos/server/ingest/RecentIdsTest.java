package dev.kairos.server.ingest;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RecentIdsTest {
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);
    private final Random random = new Random(7);

    private List<UUID> ids(int n) {
        List<UUID> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(new UUID(random.nextLong(), random.nextLong()));
        return out;
    }

    @Test
    void remembersWhatWasAddedAndNothingElse() {
        RecentIds recent = new RecentIds(100_000, HOUR, System::nanoTime);
        List<UUID> added = ids(100_000);
        List<UUID> others = ids(100_000);
        recent.addAll(added);
        assertThat(added).allMatch(recent::contains);
        assertThat(others).noneMatch(recent::contains);
        assertThat(recent.size()).isEqualTo(100_000);
        // Adding again changes nothing.
        recent.addAll(added.subList(0, 10));
        assertThat(recent.size()).isEqualTo(100_000);
    }

    @Test
    void aBatchIsLookedUpAtOnceInOrder() {
        RecentIds recent = new RecentIds(1_000, HOUR, System::nanoTime);
        List<UUID> old = ids(3);
        recent.addAll(old);
        List<UUID> batch = List.of(ids(1).get(0), old.get(1), ids(1).get(0), old.get(0), new UUID(0, 0));
        assertThat(recent.containsEach(batch)).containsExactly(false, true, false, true, false);
        assertThat(recent.containsEach(List.of())).isEmpty();
    }

    @Test
    void remembersAtLeastTheLastCapacityIdsAndForgetsAfterTwiceThat() {
        RecentIds recent = new RecentIds(1_000, HOUR, System::nanoTime);
        List<UUID> first = ids(1_000);
        List<UUID> second = ids(1_000);
        List<UUID> third = ids(1_000);
        recent.addAll(first);
        recent.addAll(second);
        assertThat(first).as("a full generation is kept while the next fills").allMatch(recent::contains);
        assertThat(second).allMatch(recent::contains);
        recent.addAll(third);
        assertThat(first).as("two generations later").noneMatch(recent::contains);
        assertThat(second).allMatch(recent::contains);
        assertThat(third).allMatch(recent::contains);
        assertThat(recent.size()).isEqualTo(2_000);
    }

    @Test
    void aGenerationIsRetiredAfterMaxAgeEvenIfNotFull() {
        AtomicLong now = new AtomicLong(0);
        RecentIds recent = new RecentIds(1_000, HOUR, now::get);
        List<UUID> early = ids(10);
        recent.addAll(early);
        now.addAndGet(HOUR - 1);
        recent.addAll(ids(1));
        assertThat(recent.size()).isEqualTo(11);
        now.addAndGet(1);
        List<UUID> later = ids(1);
        recent.addAll(later);
        assertThat(early).as("an hour old: in the older generation still").allMatch(recent::contains);
        now.addAndGet(HOUR);
        recent.addAll(ids(1));
        assertThat(early).as("two hours old").noneMatch(recent::contains);
        assertThat(later).allMatch(recent::contains);
    }

    @Test
    void theAllZeroIdIsAnIdLikeAnyOther() {
        RecentIds recent = new RecentIds(10, HOUR, System::nanoTime);
        UUID nil = new UUID(0, 0);
        assertThat(recent.contains(nil)).isFalse();
        recent.addAll(List.of(nil));
        assertThat(recent.contains(nil)).isTrue();
        assertThat(recent.contains(new UUID(0, 1))).isFalse();
    }

    @Test
    void idsWhoseTagsMatchAreStillToldApartByTheIdItself() {
        // A small full table: each of the 200,000 lookups passes over several occupied slots, and one in 255 of those
        // carries the tag of the id looked up (thousands of times here), so only comparing the ids answers right.
        RecentIds recent = new RecentIds(16, HOUR, System::nanoTime);
        List<UUID> added = ids(16);
        recent.addAll(added);
        assertThat(added).allMatch(recent::contains);
        List<UUID> others = ids(200_000);
        assertThat(recent.containsEach(others)).doesNotContain(true);
    }

    @Test
    void capacityZeroRemembersNothing() {
        RecentIds recent = new RecentIds(0, HOUR, System::nanoTime);
        List<UUID> added = ids(3);
        recent.addAll(added);
        assertThat(added).noneMatch(recent::contains);
    }

    @Test
    void tinyCapacitiesNeverFillATable() {
        for (int capacity = 1; capacity <= 5; capacity++) {
            RecentIds recent = new RecentIds(capacity, HOUR, System::nanoTime);
            List<UUID> added = ids(50);
            for (UUID id : added) recent.addAll(List.of(id));
            assertThat(added.subList(50 - capacity, 50)).as("capacity %d", capacity).allMatch(recent::contains);
        }
    }

    @Test
    void concurrentAddsAndLookupsLoseNothing() throws Exception {
        RecentIds recent = new RecentIds(200_000, HOUR, System::nanoTime);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<UUID>>> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                List<UUID> mine = ids(25_000);
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < mine.size(); i += 100) {
                        List<UUID> batch = mine.subList(i, i + 100);
                        assertThat(batch).noneMatch(recent::contains);
                        recent.addAll(batch);
                    }
                    return mine;
                }));
            }
            for (Future<List<UUID>> w : writers) assertThat(w.get(60, TimeUnit.SECONDS)).allMatch(recent::contains);
            assertThat(recent.size()).isEqualTo(100_000);
        } finally {
            pool.shutdownNow();
        }
    }
}
