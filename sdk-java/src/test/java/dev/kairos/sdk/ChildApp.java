package dev.kairos.sdk;

import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;

/**
 * An app in its own JVM for the no-loss test: {@code track <url> <dir> <n>} records n events
 * (property {@code seq}) and keeps sending until killed; {@code drain <url> <dir>} starts on the
 * same storage, delivers what is queued and exits 0 when everything got through.
 */
public final class ChildApp {
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Kairos kairos = Kairos.builder("wk_test").baseUrl(args[1]).storageDirectory(Paths.get(args[2]))
                .flushAt(10).maxBatchSize(10).logger(KairosLogger.NONE)
                .backoff(attempt -> Duration.ofMillis(50))
                .callback(new Callback() {
                    @Override public void onDelivered(String path, int accepted, int duplicates) {
                        System.out.println("DELIVERED " + (accepted + duplicates));
                    }
                }).build();
        if (mode.equals("track")) {
            int n = Integer.parseInt(args[3]);
            for (int i = 0; i < n; i++) kairos.track("page_view", Map.of("path", "/p", "seq", i));
            while (kairos.stats().persisted() < n) Thread.sleep(5);
            System.out.println("PERSISTED " + n);
            Thread.sleep(Long.MAX_VALUE);
        } else {
            boolean all = kairos.flush(Duration.ofSeconds(60));
            System.out.println("DRAINED " + all + " " + kairos.stats());
            kairos.close();
            System.exit(all ? 0 : 1);
        }
    }
}
