package dev.kairos.android;

import static dev.kairos.android.EventServer.properties;
import static org.assertj.core.api.Assertions.assertThat;

import android.app.Application;
import android.content.Context;
import android.content.ContextWrapper;
import android.content.SharedPreferences;
import dev.kairos.android.internal.AppVersionStore;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;

/** The install event survives a process killed right after the first start, and counts once. */
@RunWith(RobolectricTestRunner.class)
public class InstallEventTest {

  @Rule public final EventServer server = new EventServer();
  @Rule public final TemporaryFolder folder = new TemporaryFolder();
  private KairosAndroid kairos;

  @After
  public void stop() {
    if (kairos != null) {
      kairos.close();
    }
  }

  private KairosAndroid.Builder builder(Context context, Path storage) {
    return KairosAndroid.builder(context).writeKey("wk_test").baseUrl(server.url()).storageDirectory(storage)
        .trackLifecycleEvents(true).flushAt(1000).flushInterval(Duration.ofHours(1));
  }

  @Test
  public void theVersionIsStoredOnlyOnceTheInstalledEventIsInTheDiskQueue() throws Exception {
    Path storage = folder.newFolder().toPath();
    AtomicReference<String> queueWhenStored = new AtomicReference<>();
    Context app = new VersionCommitHook(RuntimeEnvironment.getApplication(),
        () -> queueWhenStored.set(read(storage.resolve("events.queue"))));

    kairos = builder(app, storage).build();
    kairos.awaitChores(15_000);

    assertThat(queueWhenStored.get()).as("the queue file at the moment the version is stored")
        .contains(KairosAndroid.APPLICATION_INSTALLED);
  }

  @Test
  public void anInstallRecordedAgainAfterAKillBeforeTheVersionWasStoredKeepsItsEventId() throws Exception {
    Path storage = folder.newFolder().toPath();
    Application app = RuntimeEnvironment.getApplication();
    Context dying = new VersionCommitHook(app, () -> {
      throw new IllegalStateException("the process is killed before the version is stored");
    });
    KairosAndroid first = builder(dying, storage).build();
    first.awaitChores(15_000);
    first.close(); // sends what was queued, as the next start would after a real kill

    kairos = builder(app, storage).build(); // the next start: the version was never stored
    kairos.awaitChores(15_000);
    kairos.flush();

    Map<String, Object> once = server.next();
    Map<String, Object> again = server.next();
    assertThat(properties(once)).containsEntry("name", KairosAndroid.APPLICATION_INSTALLED);
    assertThat(properties(again)).containsEntry("name", KairosAndroid.APPLICATION_INSTALLED);
    assertThat(again.get("eventId")).as("the same id, so the server counts the install once").isEqualTo(once.get("eventId"));

    kairos.close();
    kairos = builder(app, storage).build(); // stored this time: no third install
    kairos.awaitChores(15_000);
    kairos.flush();
    assertThat(server.next(1000)).isNull();
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The app's context with the SDK's preferences observed: {@code hook} runs at each commit that
   * stores the app version, before the commit.
   */
  private static final class VersionCommitHook extends ContextWrapper {
    private final Runnable hook;

    VersionCommitHook(Context base, Runnable hook) {
      super(base);
      this.hook = hook;
    }

    @Override
    public Context getApplicationContext() {
      return this;
    }

    @Override
    public SharedPreferences getSharedPreferences(String name, int mode) {
      SharedPreferences real = super.getSharedPreferences(name, mode);
      if (!name.equals(AppVersionStore.PREFERENCES)) {
        return real;
      }
      return proxy(SharedPreferences.class, real, (method, args) -> {
        Object result = invoke(real, method, args);
        return method.getName().equals("edit") ? editor((SharedPreferences.Editor) result) : result;
      });
    }

    private SharedPreferences.Editor editor(SharedPreferences.Editor real) {
      Set<String> keys = new HashSet<>();
      return proxy(SharedPreferences.Editor.class, real, (method, args) -> {
        if (method.getName().startsWith("put")) {
          keys.add((String) args[0]);
        }
        if (method.getName().equals("commit") && keys.contains("versionCode")) {
          hook.run();
        }
        Object result = invoke(real, method, args);
        return result == real ? null : result; // a chained call: answered by the proxy below
      });
    }

    private interface Handler {
      Object handle(Method method, Object[] args) throws Exception;
    }

    private static <T> T proxy(Class<T> type, T real, Handler handler) {
      Object[] self = new Object[1];
      self[0] = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
        Object result = handler.handle(method, args);
        return result == null && method.getReturnType() == type ? p : result;
      });
      return type.cast(self[0]);
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Exception {
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw (Exception) e.getCause();
      }
    }
  }
}
