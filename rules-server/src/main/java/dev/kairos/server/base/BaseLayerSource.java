package dev.kairos.server.base;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.rules.BaseItem;
import dev.kairos.rules.engine.BaseLayer;
import dev.kairos.server.config.KairosConfig;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Tier-1 base layer decisions read ({@link #current()}): the items of the configured feed
 * ({@code kairos.base.feed}, a file path or an http(s) URL, JSON or YAML; see {@link BaseLayer})
 * merged with the popular items the feedback service computes from outcomes
 * ({@code GET /v1/base/popular} at {@code kairos.feedback-url}). Both are read at start (in the
 * background: a slow feed never delays serving) and again every {@code kairos.base.refresh}, on
 * the {@code kairos-base} thread; {@link #refresh()} reads them now. Every instance reads the same
 * sources, so all serve the same layer within one refresh.
 *
 * <p>A source that cannot be read or does not validate keeps its previous items (a broken feed
 * upload or a feedback outage does not empty the layer) and its problem is reported by
 * {@code GET /v1/base} and logged once. A decision only reads an immutable snapshot.
 */
@Context
public class BaseLayerSource {
    private static final Logger LOG = LoggerFactory.getLogger(BaseLayerSource.class);
    /** The largest feed read, in bytes. */
    static final int MAX_FEED_BYTES = 8 << 20;

    /** How one source was last read. */
    public record SourceStatus(String source, Instant loadedAt, int items, String problem) {}

    /** The layer's state: its sources and what decisions now get. */
    public record Status(SourceStatus feed, SourceStatus popular, int items, Map<String, List<BaseItem>> byPlacement) {}

    private final String feed;
    private final boolean popularEnabled;
    private final String feedbackUrl;
    private final String adminKey;
    private final int popularDays;
    private final long popularMinImpressions;
    private final int maxPerSegment;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NORMAL).build();
    private final ScheduledExecutorService scheduler;

    private volatile BaseLayer current = BaseLayer.EMPTY;
    private List<BaseItem> feedItems = List.of();
    private List<BaseItem> popularItems = List.of();
    private volatile SourceStatus feedStatus;
    private volatile SourceStatus popularStatus;

    public BaseLayerSource(KairosConfig config, ObjectMapper json,
                           @Value("${kairos.base.feed:}") String feed,
                           @Value("${kairos.base.refresh:5m}") Duration refresh,
                           @Value("${kairos.base.popular.enabled:true}") boolean popularEnabled,
                           @Value("${kairos.base.popular.days:7}") int popularDays,
                           @Value("${kairos.base.popular.min-impressions:20}") long popularMinImpressions,
                           @Value("${kairos.base.max-per-segment:5}") int maxPerSegment,
                           @Value("${kairos.feedback-url:http://localhost:8081}") String feedbackUrl) {
        this.json = json;
        this.feed = feed == null ? "" : feed.strip();
        this.popularEnabled = popularEnabled;
        this.popularDays = popularDays;
        this.popularMinImpressions = popularMinImpressions;
        this.maxPerSegment = Math.max(1, maxPerSegment);
        this.feedbackUrl = feedbackUrl.replaceAll("/+$", "");
        this.adminKey = config.adminKey();
        this.feedStatus = new SourceStatus(this.feed.isEmpty() ? null : this.feed, null, 0, this.feed.isEmpty() ? null : "not read yet");
        this.popularStatus = new SourceStatus(popularEnabled ? this.feedbackUrl + "/v1/base/popular" : null, null, 0, popularEnabled ? "not read yet" : null);
        if (this.feed.isEmpty() && !popularEnabled) {
            this.scheduler = null;
            return;
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kairos-base");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, refresh.toMillis());
        scheduler.scheduleWithFixedDelay(this::refreshQuietly, 0, every, TimeUnit.MILLISECONDS);
    }

    /** The layer decisions read now. */
    public BaseLayer current() {
        return current;
    }

    /** Reads both sources now and swaps in the merged layer; returns the resulting status. */
    public synchronized Status refresh() {
        if (!feed.isEmpty()) readFeed();
        if (popularEnabled) readPopular();
        List<BaseItem> all = new ArrayList<>(feedItems.size() + popularItems.size());
        all.addAll(feedItems);
        all.addAll(popularItems);
        current = BaseLayer.of(all, maxPerSegment);
        return status();
    }

    /** The sources' state and the items decisions get. */
    public Status status() {
        BaseLayer layer = current;
        return new Status(feedStatus, popularStatus, layer.size(), new java.util.TreeMap<>(layer.byPlacement()));
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warn("base layer refresh failed: {}", e.toString());
        }
    }

    private void readFeed() {
        try {
            byte[] bytes = fetch(feed);
            boolean yaml = feed.endsWith(".yaml") || feed.endsWith(".yml");
            List<BaseItem> items = BaseLayer.parseFeed(bytes, yaml);
            feedItems = items;
            if (feedStatus.problem() != null || feedStatus.items() != items.size()) LOG.info("base layer feed {}: {} items", feed, items.size());
            feedStatus = new SourceStatus(feed, Instant.now(), items.size(), null);
        } catch (IOException | IllegalArgumentException e) {
            String problem = e instanceof IllegalArgumentException ? e.getMessage() : "cannot read: " + e;
            if (!problem.equals(feedStatus.problem())) LOG.warn("base layer feed {} not used ({}); keeping its previous {} items", feed, problem, feedItems.size());
            feedStatus = new SourceStatus(feed, feedStatus.loadedAt(), feedItems.size(), problem);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readPopular() {
        String url = feedbackUrl + "/v1/base/popular?days=" + popularDays + "&minImpressions=" + popularMinImpressions + "&limit=" + maxPerSegment;
        try {
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET();
            if (adminKey != null && !adminKey.isEmpty()) req.header("Authorization", "Bearer " + adminKey);
            HttpResponse<byte[]> r = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode());
            List<BaseItem> items = new ArrayList<>();
            for (JsonNode i : json.readTree(r.body()).path("items")) {
                items.add(new BaseItem(i.path("placement").asText(), i.path("content").asText(), null, null, null,
                        i.path("segment").isTextual() ? i.path("segment").asText() : null, BaseItem.POPULAR, i.path("score").asDouble(), 0, Map.of()));
            }
            popularItems = items;
            popularStatus = new SourceStatus(popularStatus.source(), Instant.now(), items.size(), null);
        } catch (IOException | IllegalArgumentException e) {
            String problem = "cannot read: " + e;
            if (!problem.equals(popularStatus.problem())) LOG.info("base layer popular items not read from {} ({}); keeping the previous {}", feedbackUrl, problem, popularItems.size());
            popularStatus = new SourceStatus(popularStatus.source(), popularStatus.loadedAt(), popularItems.size(), problem);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private byte[] fetch(String source) throws IOException, InterruptedException {
        if (source.startsWith("http://") || source.startsWith("https://")) {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(source)).timeout(Duration.ofSeconds(20)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode());
                byte[] bytes = in.readNBytes(MAX_FEED_BYTES + 1);
                if (bytes.length > MAX_FEED_BYTES) throw new IllegalArgumentException("the feed is larger than " + MAX_FEED_BYTES + " bytes");
                return bytes;
            }
        }
        Path p = Path.of(source.startsWith("file:") ? URI.create(source).getPath() : source);
        if (Files.size(p) > MAX_FEED_BYTES) throw new IllegalArgumentException("the feed is larger than " + MAX_FEED_BYTES + " bytes");
        return Files.readAllBytes(p);
    }

    @PreDestroy
    void close() {
        if (scheduler != null) scheduler.shutdownNow();
    }
}
