package dev.kairos.android;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.rules.ExternalResource;

/**
 * A MockWebServer standing in for the rules server's {@code POST /v1/events}: unpacks each gzip
 * batch and hands out the events one by one, in arrival order. A JUnit rule: started before each
 * test, shut down after it.
 */
final class EventServer extends ExternalResource {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final MockWebServer server = new MockWebServer();
  private final LinkedBlockingQueue<Map<String, Object>> events = new LinkedBlockingQueue<>();
  private final AtomicBoolean failing = new AtomicBoolean();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile String lastAuthorization;

  @Override
  protected void before() throws IOException {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        requests.incrementAndGet();
        lastAuthorization = request.getHeader("Authorization");
        if (failing.get()) {
          return new MockResponse().setResponseCode(503).setBody("{\"error\":{\"code\":\"unavailable\",\"message\":\"down\"}}");
        }
        if (!request.getPath().startsWith("/v1/events")) {
          return new MockResponse().setResponseCode(404);
        }
        List<Map<String, Object>> batch = batch(request);
        events.addAll(batch);
        return new MockResponse().setHeader("Content-Type", "application/json")
            .setBody("{\"accepted\":" + batch.size() + ",\"duplicates\":0,\"rejected\":[]}");
      }
    });
    server.start();
  }

  String url() {
    String u = server.url("/").toString();
    return u.substring(0, u.length() - 1);
  }

  /** Answers 503 to everything while {@code on}. */
  void failing(boolean on) {
    failing.set(on);
  }

  /** The Authorization header of the last request. */
  String lastAuthorization() {
    return lastAuthorization;
  }

  /** Requests answered so far, whatever the answer. */
  int requestCount() {
    return requests.get();
  }

  /** The next delivered event, waiting at most 10 s; {@code null} when none came. */
  Map<String, Object> next() throws InterruptedException {
    return events.poll(10, TimeUnit.SECONDS);
  }

  /** The next delivered event, waiting at most {@code millis}. */
  Map<String, Object> next(long millis) throws InterruptedException {
    return events.poll(millis, TimeUnit.MILLISECONDS);
  }

  /** The next delivered event of {@code type} (and {@code name}, if not null), skipping others. */
  Map<String, Object> nextOf(String type, String name) throws InterruptedException {
    for (Map<String, Object> e = next(); e != null; e = next()) {
      if (type.equals(e.get("type")) && (name == null || name.equals(properties(e).get("name")))) {
        return e;
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> properties(Map<String, Object> event) {
    Object p = event.get("properties");
    return p == null ? Map.of() : (Map<String, Object>) p;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> context(Map<String, Object> event) {
    Object c = event.get("context");
    return c == null ? Map.of() : (Map<String, Object>) c;
  }

  private static List<Map<String, Object>> batch(RecordedRequest request) {
    try {
      byte[] body = request.getBody().readByteArray();
      InputStream in = new ByteArrayInputStream(body);
      if ("gzip".equalsIgnoreCase(request.getHeader("Content-Encoding"))) {
        in = new GZIPInputStream(in);
      }
      Map<String, Object> envelope = JSON.readValue(in, new TypeReference<Map<String, Object>>() {});
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> batch = (List<Map<String, Object>>) envelope.get("batch");
      return batch == null ? List.of() : new ArrayList<>(batch);
    } catch (IOException e) {
      throw new IllegalStateException("unreadable batch", e);
    }
  }

  @Override
  protected void after() {
    try {
      server.shutdown();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
